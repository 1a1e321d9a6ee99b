package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"folio/domain"
	"folio/eventstore"
	"folio/projections"
)

// Time travel folds a book from its first event for every point it shows. Reading and
// decoding the events costs several times more than applying them, so the server keeps the
// decoded events of the books people travel through, and a step folds from memory. Events
// never change once stored, so a cached event stays true; the cache only ever grows a book
// by the events appended since.
const (
	// timeTravelCachedEventsMax bounds the events held across all books, about 50 MB per
	// 100,000 events. A book larger than this is folded from the log every time.
	timeTravelCachedEventsMax = 150_000
	// timeTravelCacheIdle is how long a book's events stay cached after their last use.
	timeTravelCacheIdle = 10 * time.Minute
	// verifyBadgeLifetime is how long the time travel page's badge reuses a check of the
	// read models for the same version of a book: stepping through history would otherwise
	// fold the whole book again on every step.
	verifyBadgeLifetime = time.Minute
	verifyBadgesMax     = 1000
)

// timeTravelCache holds the decoded events of recently visited books. It is safe for
// concurrent use.
type timeTravelCache struct {
	mu     sync.Mutex
	books  map[uuid.UUID]*cachedStream
	events int // held across all books
	max    int
	idle   time.Duration
	badges map[uuid.UUID]verifyBadgeResult
}

// verifyBadgeResult is a check of a book's read models against a fresh fold.
type verifyBadgeResult struct {
	version int64
	diff    string
	checked time.Time
}

// cachedStream is the start of one book's stream: events[i] has version i+1.
type cachedStream struct {
	mu       sync.Mutex // serialises catching up and folding this book
	events   []domain.Event
	recorded []time.Time
	timer    *time.Timer

	// Under the cache's lock: the events counted in the cache's total, and whether the
	// stream was evicted (a fold in progress finishes, but the stream no longer counts).
	counted int
	dropped bool
}

func newTimeTravelCache(max int, idle time.Duration) *timeTravelCache {
	return &timeTravelCache{books: map[uuid.UUID]*cachedStream{}, max: max, idle: idle,
		badges: map[uuid.UUID]verifyBadgeResult{}}
}

// badge returns a recent check of the owner's read models at version, if there is one.
func (c *timeTravelCache) badge(ownerID uuid.UUID, version int64, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	result, ok := c.badges[ownerID]
	if !ok || result.version != version || now.Sub(result.checked) > verifyBadgeLifetime {
		return "", false
	}
	return result.diff, true
}

// rememberBadge keeps a check for badge, forgetting expired ones when there are many.
func (c *timeTravelCache) rememberBadge(ownerID uuid.UUID, version int64, diff string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.badges) >= verifyBadgesMax {
		for id, result := range c.badges {
			if now.Sub(result.checked) > verifyBadgeLifetime || len(c.badges) >= verifyBadgesMax {
				delete(c.badges, id)
			}
		}
	}
	c.badges[ownerID] = verifyBadgeResult{version: version, diff: diff, checked: now}
}

// foldAt folds the owner's book up to point, which the caller checked lies within the
// book's latest version. It gives the same books as projections.FoldAt.
func (c *timeTravelCache) foldAt(ctx context.Context, q eventstore.Querier, ownerID uuid.UUID,
	point projections.HistoryPoint, latest int64) (*domain.Books, error) {
	if latest > int64(c.max) {
		return projections.FoldAt(ctx, q, ownerID, point)
	}
	stream := c.stream(ownerID)
	stream.mu.Lock()
	defer stream.mu.Unlock()

	target := point.Version
	if !point.Before.IsZero() {
		target = latest
	}
	if err := c.catchUp(ctx, q, ownerID, stream, target); err != nil {
		return nil, err
	}
	if !point.Before.IsZero() {
		target = stream.versionBefore(point.Before, latest)
	}

	books := domain.NewBooks()
	for _, event := range stream.events[:target] {
		if err := books.Apply(event); err != nil {
			return nil, fmt.Errorf("fold books of %s: %w", ownerID, err)
		}
	}
	return books, nil
}

// versionBefore returns the number of events before the first one recorded at or after
// instant, among the first latest, as projections.FoldAt counts them.
func (s *cachedStream) versionBefore(instant time.Time, latest int64) int64 {
	for i, recorded := range s.recorded[:latest] {
		if !recorded.Before(instant) {
			return int64(i)
		}
	}
	return latest
}

// stream returns the owner's cached stream, created empty if needed, and keeps it for
// another idle period.
func (c *timeTravelCache) stream(ownerID uuid.UUID) *cachedStream {
	c.mu.Lock()
	defer c.mu.Unlock()
	stream, ok := c.books[ownerID]
	if !ok {
		stream = &cachedStream{}
		stream.timer = time.AfterFunc(c.idle, func() { c.drop(ownerID, stream) })
		c.books[ownerID] = stream
		return stream
	}
	stream.timer.Reset(c.idle)
	return stream
}

// catchUp reads the events up to version target that the stream lacks.
func (c *timeTravelCache) catchUp(ctx context.Context, q eventstore.Querier, ownerID uuid.UUID,
	stream *cachedStream, target int64) error {
	have := int64(len(stream.events))
	if target <= have {
		return nil
	}
	err := eventstore.ReadStream(ctx, q, ownerID, have, target, func(e eventstore.RecordedEvent) error {
		if e.Version != int64(len(stream.events))+1 {
			return fmt.Errorf("event %d of %s follows version %d", e.Version, ownerID, len(stream.events))
		}
		stream.events = append(stream.events, e.Event)
		stream.recorded = append(stream.recorded, e.RecordedAt)
		return nil
	})
	if err != nil {
		stream.events, stream.recorded = stream.events[:have], stream.recorded[:have]
		return fmt.Errorf("fold books of %s: %w", ownerID, err)
	}
	c.grew(ownerID, stream, len(stream.events)-int(have))
	return nil
}

// grew accounts for added events and evicts other books while the cache holds more than its
// limit.
func (c *timeTravelCache) grew(ownerID uuid.UUID, stream *cachedStream, added int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stream.dropped {
		return
	}
	stream.counted += added
	c.events += added
	for other, victim := range c.books {
		if c.events <= c.max {
			break
		}
		if other != ownerID {
			c.evictLocked(other, victim)
		}
	}
}

// drop forgets the owner's events after an idle period.
func (c *timeTravelCache) drop(ownerID uuid.UUID, stream *cachedStream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.books[ownerID] == stream {
		c.evictLocked(ownerID, stream)
	}
}

func (c *timeTravelCache) evictLocked(ownerID uuid.UUID, stream *cachedStream) {
	delete(c.books, ownerID)
	stream.timer.Stop()
	stream.dropped = true
	c.events -= stream.counted
}
