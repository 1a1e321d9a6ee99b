package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/domain"
	"folio/eventstore/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newStore(t *testing.T) *Store {
	t.Helper()
	return New(pgtest.NewPool(t))
}

func opened(n int) []domain.Event {
	events := []domain.Event{domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1}}
	for i := 1; i < n; i++ {
		events = append(events, domain.AccountOpened{AccountID: uuid.New(), Name: fmt.Sprintf("Account %d", i), Type: domain.Asset})
	}
	return events
}

func appendEvents(t *testing.T, s *Store, userID uuid.UUID, expected int64, events []domain.Event) AppendResult {
	t.Helper()
	result, err := s.Append(context.Background(), AppendRequest{UserID: userID, ExpectedVersion: expected,
		CommandID: uuid.New(), ActorID: userID, RequestID: "req-1", Events: events})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return result
}

func readVersions(t *testing.T, s *Store, userID uuid.UUID) []int64 {
	t.Helper()
	var versions []int64
	err := s.ReadStream(context.Background(), userID, 0, 0, func(e RecordedEvent) error {
		versions = append(versions, e.Version)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return versions
}

func TestAppendNumbersEventsAndChainsHashes(t *testing.T) {
	s := newStore(t)
	userID := uuid.New()
	first := appendEvents(t, s, userID, 0, opened(3))
	second := appendEvents(t, s, userID, 3, opened(2)[1:])
	if first.FirstVersion != 1 || first.LastVersion != 3 || second.FirstVersion != 4 || second.LastVersion != 4 {
		t.Fatalf("got versions %+v and %+v", first, second)
	}
	if got := readVersions(t, s, userID); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("got versions %v", got)
	}
	if broken, err := VerifyChain(context.Background(), s.pool, userID); err != nil || broken != nil {
		t.Fatalf("verify: %v %v", broken, err)
	}
	var metadata struct {
		actor, command uuid.UUID
		request        string
	}
	err := s.pool.QueryRow(context.Background(), `SELECT actor_id, command_id, request_id FROM events WHERE user_id = $1 AND version = 1`,
		userID).Scan(&metadata.actor, &metadata.command, &metadata.request)
	if err != nil || metadata.actor != userID || metadata.command == uuid.Nil || metadata.request != "req-1" {
		t.Errorf("metadata not stored: %+v %v", metadata, err)
	}
}

func TestAppendAtWrongVersionIsATypedConflict(t *testing.T) {
	s := newStore(t)
	userID := uuid.New()
	appendEvents(t, s, userID, 0, opened(1))
	_, err := s.Append(context.Background(), AppendRequest{UserID: userID, ExpectedVersion: 0,
		CommandID: uuid.New(), Events: opened(2)[1:]})
	var conflict *VersionConflictError
	if !errors.As(err, &conflict) || conflict.Expected != 0 || conflict.Actual != 1 {
		t.Fatalf("got %v, want a version conflict expecting 0 at 1", err)
	}
	if got := readVersions(t, s, userID); len(got) != 1 {
		t.Errorf("conflicting append stored events: %v", got)
	}
}

func TestSameCommandIDIsStoredOnce(t *testing.T) {
	s := newStore(t)
	userID, commandID := uuid.New(), uuid.New()
	req := AppendRequest{UserID: userID, ExpectedVersion: AnyVersion, CommandID: commandID, Events: opened(2)}
	first, err := s.Append(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.ExpectedVersion = 0 // a retry still carries the version it was decided at
	again, err := s.Append(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.FirstVersion != first.FirstVersion || again.LastVersion != first.LastVersion {
		t.Fatalf("got %+v, want the first result %+v marked duplicate", again, first)
	}
	if got := readVersions(t, s, userID); len(got) != 2 {
		t.Errorf("got %d events, want 2", len(got))
	}
}

func TestConcurrentAppendsToOneStreamStayContiguous(t *testing.T) {
	url := pgtest.NewDatabase(t)
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	config.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := New(pool)
	userID := uuid.New()
	appendEvents(t, s, userID, 0, opened(1))

	const writers, appendsEach = 32, 5
	var acknowledged, conflicts sync.Map
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < appendsEach; {
				version, err := s.StreamVersion(context.Background(), userID)
				if err != nil {
					t.Error(err)
					return
				}
				commandID := uuid.New()
				_, err = s.Append(context.Background(), AppendRequest{UserID: userID, ExpectedVersion: version,
					CommandID: commandID, Events: opened(2)[1:]})
				switch {
				case IsVersionConflict(err):
					conflicts.Store(commandID, true)
				case err != nil:
					t.Error(err)
					return
				default:
					acknowledged.Store(commandID, true)
					done++
				}
			}
		}()
	}
	wg.Wait()

	versions := readVersions(t, s, userID)
	if len(versions) != 1+writers*appendsEach {
		t.Fatalf("got %d events, want %d", len(versions), 1+writers*appendsEach)
	}
	for i, version := range versions {
		if version != int64(i+1) {
			t.Fatalf("version %d at position %d: not contiguous", version, i)
		}
	}
	stored := map[uuid.UUID]bool{}
	rows, _ := pool.Query(context.Background(), `SELECT command_id FROM events WHERE user_id = $1 AND version > 1`, userID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if stored[id] {
			t.Fatalf("command %s stored twice", id)
		}
		stored[id] = true
	}
	acknowledged.Range(func(key, _ any) bool {
		if !stored[key.(uuid.UUID)] {
			t.Errorf("acknowledged command %s is missing", key)
		}
		return true
	})
	conflicts.Range(func(key, _ any) bool {
		if stored[key.(uuid.UUID)] {
			t.Errorf("conflicting command %s was stored", key)
		}
		return true
	})
	if broken, err := VerifyChain(context.Background(), pool, userID); err != nil || broken != nil {
		t.Fatalf("verify: %v %v", broken, err)
	}
}

func TestEventsRejectUpdateAndDelete(t *testing.T) {
	s := newStore(t)
	userID := uuid.New()
	appendEvents(t, s, userID, 0, opened(1))
	for _, statement := range []string{
		`UPDATE events SET payload = '{}'`,
		`DELETE FROM events`,
		`TRUNCATE events`,
	} {
		if _, err := s.pool.Exec(context.Background(), statement); err == nil {
			t.Errorf("%s succeeded", statement)
		}
	}
	if got := readVersions(t, s, userID); len(got) != 1 {
		t.Errorf("events changed: %v", got)
	}
}

func TestVerifyNamesTheTamperedEvent(t *testing.T) {
	for name, tamper := range map[string]string{
		"payload": `payload = replace(payload, 'Account 2', 'Account X')`,
		"subject": `subject_id = gen_random_uuid()`,
	} {
		t.Run(name, func(t *testing.T) {
			url := pgtest.NewDatabase(t)
			pool, err := pgxpool.New(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			userID := uuid.New()
			appendEvents(t, New(pool), userID, 0, opened(5))
			if broken, err := VerifyChain(context.Background(), pool, userID); broken != nil || err != nil {
				t.Fatalf("before tampering: %v %v", broken, err)
			}

			superuser, err := pgx.Connect(context.Background(), pgtest.SuperuserURL(t, url))
			if err != nil {
				t.Fatal(err)
			}
			defer superuser.Close(context.Background())
			_, err = superuser.Exec(context.Background(), `
				ALTER TABLE events DISABLE TRIGGER events_append_only;
				UPDATE events SET `+tamper+` WHERE user_id = '`+userID.String()+`' AND version = 3;
				ALTER TABLE events ENABLE TRIGGER events_append_only;`)
			if err != nil {
				t.Fatal(err)
			}
			broken, err := VerifyChain(context.Background(), pool, userID)
			if err != nil {
				t.Fatal(err)
			}
			if broken == nil || broken.Version != 3 {
				t.Fatalf("got %v, want event 3 named", broken)
			}
		})
	}
}
