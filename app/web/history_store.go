package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
)

// historyPageSize is how many events one page of the history shows.
const historyPageSize = 50

// historyFilter chooses which of a book's events the history lists. Zero fields do not
// filter. From and To bound the day (UTC) an event was recorded, both included.
type historyFilter struct {
	Type   string
	From   domain.Date
	To     domain.Date
	Actor  uuid.UUID
	Before int64 // list events with a lower version only; 0 starts at the newest
}

// historyEvent is a stored event with the email of whoever appended it ("" when the actor is
// not a user, such as a system process).
type historyEvent struct {
	eventstore.RecordedEvent
	ActorEmail string
}

// historyEvents returns up to limit of the book's events that pass filter, newest first.
// Paging is by version, in SQL, so a page costs the same at any depth.
func (s *Server) historyEvents(ctx context.Context, ownerID uuid.UUID, filter historyFilter,
	limit int) ([]historyEvent, error) {
	conditions := []string{"e.user_id = $1"}
	args := []any{ownerID}
	add := func(condition string, value any) {
		args = append(args, value)
		conditions = append(conditions, strings.ReplaceAll(condition, "?", "$"+strconv.Itoa(len(args))))
	}
	if filter.Before > 0 {
		add("e.version < ?", filter.Before)
	}
	if filter.Type != "" {
		add("e.event_type = ?", filter.Type)
	}
	if !filter.From.IsZero() {
		add("e.recorded_at >= ?", filter.From.Time())
	}
	if !filter.To.IsZero() {
		add("e.recorded_at < ?", filter.To.AddDays(1).Time())
	}
	if filter.Actor != uuid.Nil {
		add("e.actor_id = ?", filter.Actor)
	}
	args = append(args, limit)

	rows, err := s.pool.Query(ctx, `SELECT e.version, e.event_type, e.schema_version, e.payload,
			e.recorded_at, e.actor_id, e.command_id, e.request_id, e.hash, coalesce(u.email, '')
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+strings.Join(conditions, " AND ")+`
		ORDER BY e.version DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", ownerID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (historyEvent, error) {
		var e historyEvent
		var payload string
		err := row.Scan(&e.Version, &e.Type, &e.SchemaVersion, &payload, &e.RecordedAt,
			&e.ActorID, &e.CommandID, &e.RequestID, &e.Hash, &e.ActorEmail)
		if err != nil {
			return e, err
		}
		e.UserID, e.Payload = ownerID, []byte(payload)
		e.Event, err = domain.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return e, fmt.Errorf("event %d of %s: %w", e.Version, ownerID, err)
		}
		return e, nil
	})
}

// subjectOf returns the transaction or account an event is about, and whether describing it
// needs the previous event about the same subject (what an amendment changed, what a void
// took out, what an account was called before).
func subjectOf(event domain.Event) (uuid.UUID, bool) {
	switch e := event.(type) {
	case domain.TransactionAmended:
		return e.TransactionID, true
	case domain.TransactionVoided:
		return e.TransactionID, true
	case domain.AccountRenamed:
		return e.AccountID, true
	}
	return uuid.Nil, false
}

// previousVersions returns, for each event on the page that needs one, the latest earlier
// event that gave its subject content: a transaction's record or amendment, an account's
// opening or renaming. The map is keyed by the later event's version. The events_subject_idx
// index makes each lookup one index probe.
func (s *Server) previousVersions(ctx context.Context, ownerID uuid.UUID,
	events []historyEvent) (map[int64]domain.Event, error) {
	var subjects []string
	var versions []int64
	for _, e := range events {
		if subject, ok := subjectOf(e.Event); ok {
			subjects = append(subjects, subject.String())
			versions = append(versions, e.Version)
		}
	}
	previous := make(map[int64]domain.Event, len(versions))
	if len(versions) == 0 {
		return previous, nil
	}

	rows, err := s.pool.Query(ctx, `SELECT q.version, p.event_type, p.schema_version, p.payload
		FROM unnest($2::text[], $3::bigint[]) AS q (subject, version)
		CROSS JOIN LATERAL (
			SELECT event_type, schema_version, payload FROM events
			WHERE user_id = $1 AND subject_id = q.subject::uuid
			  AND event_type IN ('TransactionRecorded', 'TransactionAmended', 'AccountOpened',
			                     'AccountRenamed')
			  AND version < q.version
			ORDER BY version DESC LIMIT 1) p`, ownerID, subjects, versions)
	if err != nil {
		return nil, fmt.Errorf("read previous versions in %s: %w", ownerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var version int64
		var eventType, payload string
		var schemaVersion int
		if err := rows.Scan(&version, &eventType, &schemaVersion, &payload); err != nil {
			return nil, fmt.Errorf("read previous versions in %s: %w", ownerID, err)
		}
		event, err := domain.DecodeEvent(eventType, schemaVersion, []byte(payload))
		if err != nil {
			return nil, fmt.Errorf("previous version of event %d of %s: %w", version, ownerID, err)
		}
		previous[version] = event
	}
	return previous, rows.Err()
}

// accountNames returns the current name of each of the book's accounts.
func (s *Server) accountNames(ctx context.Context, ownerID uuid.UUID) (map[uuid.UUID]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT account_id, name FROM accounts WHERE user_id = $1`,
		ownerID)
	if err != nil {
		return nil, fmt.Errorf("read account names of %s: %w", ownerID, err)
	}
	defer rows.Close()
	names := map[uuid.UUID]string{}
	for rows.Next() {
		var id uuid.UUID
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read account names of %s: %w", ownerID, err)
		}
		names[id] = name
	}
	return names, rows.Err()
}

// historyChoice is an option of a history filter.
type historyChoice struct {
	Value string
	Label string
}

// historyFilterChoices returns the event types and the actors that occur in the book, for
// the filter form.
func (s *Server) historyFilterChoices(ctx context.Context,
	ownerID uuid.UUID) (types, actors []historyChoice, err error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT e.event_type, e.actor_id::text,
			coalesce(u.email, '')
		FROM (SELECT DISTINCT event_type, actor_id FROM events WHERE user_id = $1) e
		LEFT JOIN users u ON u.id = e.actor_id ORDER BY 1, 3`, ownerID)
	if err != nil {
		return nil, nil, fmt.Errorf("read history filters of %s: %w", ownerID, err)
	}
	defer rows.Close()
	seenType, seenActor := map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var eventType, actorID, email string
		if err := rows.Scan(&eventType, &actorID, &email); err != nil {
			return nil, nil, fmt.Errorf("read history filters of %s: %w", ownerID, err)
		}
		if !seenType[eventType] {
			seenType[eventType] = true
			types = append(types, historyChoice{Value: eventType, Label: eventTypeLabel(eventType)})
		}
		if !seenActor[actorID] {
			seenActor[actorID] = true
			if email == "" {
				email = "system (" + actorID[:8] + ")"
			}
			actors = append(actors, historyChoice{Value: actorID, Label: email})
		}
	}
	return types, actors, rows.Err()
}

// recordedDay formats when an event was recorded, for the history and time travel pages.
func recordedDay(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
