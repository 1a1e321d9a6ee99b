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
	events  int64 // the books' size as the cache last counted it, guarded by the cache's mu
}

// reset forgets the folded state, so that the next use folds from scratch.
func (c *cachedBooks) reset() { c.books = domain.NewBooks() }

// cachedEventsMax bounds the events folded into all cached books together.
// Books take about 420 bytes of memory per event (a user with 100,000
// transactions, 42 MiB), so the bound keeps the cache within about
// 420 MiB however many large books a server holds. One user's books are
// kept even when they alone are larger.
const cachedEventsMax = 1_000_000

// booksCache keeps the most recently used users' books, within a number of
// users and a number of events.
type booksCache struct {
	mu        sync.Mutex
	entries   map[uuid.UUID]*cachedBooks
	recency   *list.List // front: most recently used
	max       int
	eventsMax int64
	events    int64 // the sum of the entries' counted events
}

func newBooksCache(max int) *booksCache {
	if max < 1 {
		max = 1
	}
	return &booksCache{entries: map[uuid.UUID]*cachedBooks{}, recency: list.New(), max: max,
		eventsMax: cachedEventsMax}
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
		c.removeLocked(c.recency.Back().Value.(*cachedBooks))
	}
	return entry
}

// counted records the size of an entry's books after a command or a read
// folded events into them, and evicts the least recently used other
// entries while the cache holds more than eventsMax events. An entry
// already evicted is not counted again.
func (c *booksCache) counted(entry *cachedBooks, events int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[entry.userID] != entry {
		return
	}
	c.events += events - entry.events
	entry.events = events
	for c.events > c.eventsMax {
		oldest := c.recency.Back().Value.(*cachedBooks)
		if oldest == entry {
			return // the books just used stay, alone over the bound if need be
		}
		c.removeLocked(oldest)
	}
}

func (c *booksCache) removeLocked(entry *cachedBooks) {
	c.recency.Remove(entry.element)
	delete(c.entries, entry.userID)
	c.events -= entry.events
}

func (c *booksCache) forget(userID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if entry, ok := c.entries[userID]; ok {
		c.removeLocked(entry)
	}
}
