package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/database"
	"folio/app/ledger"
	"folio/eventstore"
	"folio/projections"
)

// booksCachedMax bounds how many users' folded books a process keeps.
const booksCachedMax = 256

// openDatabase opens DATABASE_URL or the private cluster, migrated.
func openDatabase(ctx context.Context, env *environment) (*database.Database, error) {
	return database.Open(ctx, database.Options{
		URL: env.getenv("DATABASE_URL"), DataDir: dataDir, Migrate: true, Logger: env.logger,
	})
}

// newLedger wires the event store, its inline projections and the command
// service on db.
func newLedger(db *database.Database, env *environment) (*eventstore.Store, *ledger.Service) {
	store := eventstore.New(db.Pool, eventstore.WithProjector(projections.Projector{}))
	return store, ledger.New(store, env.logger, booksCachedMax)
}

// userIDByEmail finds a user for the operator commands.
func userIDByEmail(ctx context.Context, db *database.Database, email string) (uuid.UUID, error) {
	var id uuid.UUID
	err := db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`,
		strings.ToLower(strings.TrimSpace(email))).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, fmt.Errorf("no user with email %q", email)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("find user %q: %w", email, err)
	}
	return id, nil
}

// emailsByID names users in reports.
func emailsByID(ctx context.Context, db *database.Database) (map[uuid.UUID]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, email FROM users`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	emails := map[uuid.UUID]string{}
	for rows.Next() {
		var id uuid.UUID
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		emails[id] = email
	}
	return emails, rows.Err()
}
