package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/app/database"
	"folio/app/ledger"
	"folio/app/users"
	"folio/domain"
	"folio/eventstore"
	"folio/projections"
)

// importBatchEvents bounds one transaction of the seeding import.
const importBatchEvents = 10_000

// The seeded user.
const (
	seedEmail    = "load@example.com"
	seedPassword = "load test password 1"
)

type seeded struct {
	databaseURL string
	email       string
	password    string
	dataDir     string // the folder database.Open was given
	db          *database.Database
}

func (s *seeded) close() { s.db.Close() }

// postmaster returns the process id of the private cluster's main process,
// or 0 when it cannot be read.
func (s *seeded) postmaster() int {
	pidFile, err := os.ReadFile(filepath.Join(s.dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(pidFile), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(first))
	return pid
}

// seed starts a private cluster in workDir, creates one user and writes
// transactions straight into their event stream, then derives the read
// models in one rebuild: much faster than appending them one by one, and
// the same rows.
func seed(ctx context.Context, workDir string, transactions int, logger *slog.Logger) (*seeded, error) {
	dataDir := filepath.Join(workDir, "data")
	db, err := database.Open(ctx, database.Options{DataDir: dataDir, Migrate: true, Logger: logger})
	if err != nil {
		return nil, err
	}
	s := &seeded{databaseURL: db.URL, email: seedEmail, password: seedPassword, dataDir: dataDir, db: db}
	user, err := users.NewStore(db.Pool, nil).Create(ctx, s.email, s.password, false)
	if err != nil {
		db.Close()
		return nil, err
	}
	store := eventstore.New(db.Pool, eventstore.WithProjector(projections.Projector{}))
	service := ledger.New(store, logger, 4)
	if err := service.EnsureOpened(ctx, user.ID, user.ID, "load-seed"); err != nil {
		db.Close()
		return nil, err
	}
	if err := importTransactions(ctx, db, service, user.ID, transactions); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := projections.RebuildUser(ctx, db.Pool, user.ID); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// seedOnce seeds like seed, but when workDir already holds books seeded with
// as many transactions, it starts that cluster again instead.
func seedOnce(ctx context.Context, workDir string, transactions int, logger *slog.Logger) (*seeded, error) {
	marker := filepath.Join(workDir, fmt.Sprintf("seeded-%d", transactions))
	if _, err := os.Stat(marker); err != nil {
		if _, err := os.Stat(filepath.Join(workDir, "data")); err == nil {
			return nil, fmt.Errorf("%s holds a cluster seeded otherwise; use another folder", workDir)
		}
		s, err := seed(ctx, workDir, transactions, logger)
		if err != nil {
			return nil, err
		}
		return s, os.WriteFile(marker, nil, 0o644)
	}
	dataDir := filepath.Join(workDir, "data")
	db, err := database.Open(ctx, database.Options{DataDir: dataDir, Migrate: true, Logger: logger})
	if err != nil {
		return nil, err
	}
	return &seeded{databaseURL: db.URL, email: seedEmail, password: seedPassword, dataDir: dataDir, db: db}, nil
}

func importTransactions(ctx context.Context, db *database.Database, service *ledger.Service, userID uuid.UUID, count int) error {
	var accounts []*domain.Account
	var version int64
	err := service.Read(ctx, userID, func(books *domain.Books) error {
		accounts, version = books.Accounts(), books.Version
		return nil
	})
	if err != nil {
		return err
	}
	var head []byte
	if err := db.Pool.QueryRow(ctx, `SELECT head_hash FROM streams WHERE user_id = $1`, userID).Scan(&head); err != nil {
		return fmt.Errorf("read stream head: %w", err)
	}
	template := eventstore.RecordedEvent{RecordedAt: time.Now().UTC().Truncate(time.Microsecond),
		ActorID: userID, CommandID: uuid.New(), RequestID: "load-seed"}
	assets, expenses := accountsOf(accounts)
	for done := 0; done < count; done += importBatchEvents {
		events := make([]domain.Event, 0, importBatchEvents)
		for i := done; i < min(done+importBatchEvents, count); i++ {
			events = append(events, transaction(i, assets, expenses))
		}
		chained, err := eventstore.Chain(userID, version, head, template, events)
		if err != nil {
			return err
		}
		if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return eventstore.Import(ctx, tx, chained) }); err != nil {
			return fmt.Errorf("import transactions: %w", err)
		}
		version, head = chained[len(chained)-1].Version, chained[len(chained)-1].Hash
	}
	return nil
}

// accountsOf picks the starter chart's euro asset accounts and its expense
// accounts.
func accountsOf(accounts []*domain.Account) (assets, expenses []*domain.Account) {
	for _, account := range accounts {
		switch {
		case account.Type == domain.Asset && account.Currency == "EUR":
			assets = append(assets, account)
		case account.Type == domain.Expense:
			expenses = append(expenses, account)
		}
	}
	return assets, expenses
}

// The seeded purchases are spread over seedDays days from seedFirstDay.
const (
	seedFirstDay = "2024-01-01"
	seedDays     = 1095
)

// transaction makes the i-th purchase: from an asset account to an expense
// account, spread over three years.
func transaction(i int, assets, expenses []*domain.Account) domain.Event {
	amount := decimal.New(int64(i%9000+100), -2)
	return domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{
		Date:        domain.MustDate(seedFirstDay).AddDays(i % seedDays),
		Description: fmt.Sprintf("Purchase %d", i),
		Payee:       fmt.Sprintf("Shop %d", i%300),
		Postings: []domain.Posting{
			{AccountID: expenses[i%len(expenses)].ID, Amount: amount, Currency: "EUR"},
			{AccountID: assets[i%len(assets)].ID, Amount: amount.Neg(), Currency: "EUR"},
		},
	}}
}
