package ledger

import (
	"container/list"
	"sync"

	"github.com/google/uuid"

	"folio/domain"
)

// cachedBooks is one user's books in memory. mu serialises this instance's
// commands on the user; other instances are kept apart by the store's
// expected-version check.
type cachedBooks struct {
	mu      sync.Mutex
	userID  uuid.UUID
	books   *domain.Books
	element *list.Element
}

// reset forgets the folded state, so that the next use folds from scratch.
func (c *cachedBooks) reset() { c.books = domain.NewBooks() }

// booksCache keeps the most recently used users' books, up to a bound.
type booksCache struct {
	mu      sync.Mutex
	entries map[uuid.UUID]*cachedBooks
	recency *list.List // front: most recently used
	max     int
}

func newBooksCache(max int) *booksCache {
	if max < 1 {
		max = 1
	}
	return &booksCache{entries: map[uuid.UUID]*cachedBooks{}, recency: list.New(), max: max}
}

// entry returns the user's cache entry, creating it and evicting the least
// recently used one when full. An evicted entry still in use stays valid
// for its holder; it is merely no longer shared.
func (c *booksCache) entry(userID uuid.UUID) *cachedBooks {
	c.mu.Lock()
	defer c.mu.Unlock()
	if entry, ok := c.entries[userID]; ok {
		c.recency.MoveToFront(entry.element)
		return entry
	}
	entry := &cachedBooks{userID: userID, books: domain.NewBooks()}
	entry.element = c.recency.PushFront(entry)
	c.entries[userID] = entry
	for c.recency.Len() > c.max {
		oldest := c.recency.Back()
		c.recency.Remove(oldest)
		delete(c.entries, oldest.Value.(*cachedBooks).userID)
	}
	return entry
}

func (c *booksCache) forget(userID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if entry, ok := c.entries[userID]; ok {
		c.recency.Remove(entry.element)
		delete(c.entries, userID)
	}
}
