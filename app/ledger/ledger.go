// Package ledger runs commands against a user's books: it brings the books
// up to date, lets the domain decide, and appends the resulting events with
// optimistic concurrency, retrying a bounded number of times when another
// writer got there first.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"folio/domain"
	"folio/eventstore"
)

// conflictRetriesMax bounds how often a command is decided again after
// another writer changed the same books between read and append.
const conflictRetriesMax = 5

// Service executes commands. It is safe for concurrent use.
type Service struct {
	store  *eventstore.Store
	cache  *booksCache
	newID  func() uuid.UUID
	logger *slog.Logger
}

// New returns a Service that keeps up to cachedBooksMax users' books in memory.
func New(store *eventstore.Store, logger *slog.Logger, cachedBooksMax int) *Service {
	return &Service{store: store, cache: newBooksCache(cachedBooksMax), newID: uuid.New, logger: logger}
}

// Meta says who runs a command and under which id. A zero CommandID gets a
// fresh one; a repeated CommandID is stored once.
type Meta struct {
	UserID    uuid.UUID
	ActorID   uuid.UUID
	CommandID uuid.UUID
	RequestID string
}

// Result is what a command appended. For a repeated command id it is the
// result of the first execution.
type Result struct {
	Events       []domain.Event
	FirstVersion int64
	LastVersion  int64
	Duplicate    bool
}

// ErrBooksChanged means the books kept changing under the command; the
// user may simply try again.
var ErrBooksChanged = &domain.Error{Code: domain.CodeConflict,
	Message: "your books changed while this was being saved: please try again"}

// Execute decides cmd against the user's current books and appends the
// events. Rejections come back as *domain.Error.
func (s *Service) Execute(ctx context.Context, meta Meta, cmd domain.Command) (Result, error) {
	callerChoseID := meta.CommandID != uuid.Nil
	if !callerChoseID {
		meta.CommandID = s.newID()
	}
	if meta.ActorID == uuid.Nil {
		meta.ActorID = meta.UserID
	}
	result, err := s.execute(ctx, meta, cmd)
	if callerChoseID && IsRejection(err) {
		// A retried command (a double-submitted form, a client retrying
		// after a lost answer) may be rejected by books it already changed
		// ("already closed"): it gets its first result instead. A retry that
		// decides again without a rejection is caught by the store.
		previous, found, lookupErr := s.store.CommandResult(ctx, meta.UserID, meta.CommandID)
		if lookupErr != nil {
			return Result{}, lookupErr
		}
		if found {
			return s.firstResult(ctx, meta.UserID, previous)
		}
	}
	return result, err
}

// execute decides and appends under the user's lock, deciding again when
// another writer got there first.
func (s *Service) execute(ctx context.Context, meta Meta, cmd domain.Command) (Result, error) {
	entry := s.cache.entry(meta.UserID)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	defer func() { s.cache.counted(entry, entry.books.Version) }()
	for attempt := 0; attempt < conflictRetriesMax; attempt++ {
		result, err := s.executeOnce(ctx, entry, meta, cmd)
		if !eventstore.IsVersionConflict(err) {
			return result, err
		}
		s.logger.Info("append conflict, deciding again", "user_id", meta.UserID, "attempt", attempt+1)
	}
	return Result{}, ErrBooksChanged
}

func (s *Service) executeOnce(ctx context.Context, entry *cachedBooks, meta Meta, cmd domain.Command) (Result, error) {
	if err := s.catchUp(ctx, entry, meta.UserID); err != nil {
		return Result{}, err
	}
	events, err := domain.Decide(entry.books, cmd, s.newID)
	if err != nil {
		return Result{}, err
	}
	appended, err := s.store.Append(ctx, eventstore.AppendRequest{
		UserID: meta.UserID, ExpectedVersion: entry.books.Version, CommandID: meta.CommandID,
		ActorID: meta.ActorID, RequestID: meta.RequestID, Events: events,
	})
	if appended.Duplicate {
		return s.firstResult(ctx, meta.UserID, appended)
	}
	if err != nil {
		return Result{}, err
	}
	// The next command catches the cached books up from the store, which
	// also applies these events; applying them here saves that read.
	for _, event := range events {
		if err := entry.books.Apply(event); err != nil {
			entry.reset()
			return Result{}, fmt.Errorf("apply appended event: %w", err)
		}
	}
	return Result{Events: events, FirstVersion: appended.FirstVersion, LastVersion: appended.LastVersion}, nil
}

// firstResult reads back the events a repeated command appended the first time.
func (s *Service) firstResult(ctx context.Context, userID uuid.UUID, appended eventstore.AppendResult) (Result, error) {
	result := Result{FirstVersion: appended.FirstVersion, LastVersion: appended.LastVersion, Duplicate: true}
	err := s.store.ReadStream(ctx, userID, appended.FirstVersion-1, appended.LastVersion, func(e eventstore.RecordedEvent) error {
		result.Events = append(result.Events, e.Event)
		return nil
	})
	return result, err
}

// catchUp applies the events appended since the cached books were read.
func (s *Service) catchUp(ctx context.Context, entry *cachedBooks, userID uuid.UUID) error {
	err := s.store.ReadStream(ctx, userID, entry.books.Version, 0, func(e eventstore.RecordedEvent) error {
		return entry.books.Apply(e.Event)
	})
	if err != nil {
		entry.reset()
		return fmt.Errorf("load books of %s: %w", userID, err)
	}
	return nil
}

// Read calls fn with the user's current books. fn must not keep or change them.
func (s *Service) Read(ctx context.Context, userID uuid.UUID, fn func(*domain.Books) error) error {
	entry := s.cache.entry(userID)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	defer func() { s.cache.counted(entry, entry.books.Version) }()
	if err := s.catchUp(ctx, entry, userID); err != nil {
		return err
	}
	return fn(entry.books)
}

// Forget drops a user's cached books, for example after a restore.
func (s *Service) Forget(userID uuid.UUID) { s.cache.forget(userID) }

// IsRejection reports whether err is a rejection the user should see, as
// opposed to an internal failure.
func IsRejection(err error) bool {
	var domainErr *domain.Error
	return errors.As(err, &domainErr)
}

// New users' books start in euros with a calendar fiscal year; both can be
// changed in settings.
const (
	defaultBaseCurrency         = "EUR"
	defaultFiscalYearStartMonth = 1
)

// openBooksNamespace derives the command id of a user's OpenBooks, so that
// opening the same user's books twice stores it once.
var openBooksNamespace = uuid.MustParse("6f1b3c2e-4d0a-4f57-9a57-0c8e7b7f2a11")

// EnsureOpened opens a new user's books with the starter chart of accounts.
// It is safe to call again: the command id is derived from the user id.
func (s *Service) EnsureOpened(ctx context.Context, userID, actorID uuid.UUID, requestID string) error {
	meta := Meta{UserID: userID, ActorID: actorID, RequestID: requestID,
		CommandID: uuid.NewSHA1(openBooksNamespace, userID[:])}
	_, err := s.Execute(ctx, meta, domain.OpenBooks{
		BaseCurrency: defaultBaseCurrency, FiscalYearStartMonth: defaultFiscalYearStartMonth, StarterChart: true,
	})
	if domain.ErrorCode(err) == domain.CodeConflict {
		return nil // opened before, under another command
	}
	return err
}
