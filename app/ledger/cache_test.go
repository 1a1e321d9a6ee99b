package ledger

import (
	"testing"

	"github.com/google/uuid"
)

func TestBooksCacheKeepsWithinItsEvents(t *testing.T) {
	cache := newBooksCache(10)
	cache.eventsMax = 100
	use := func(events int64) *cachedBooks {
		entry := cache.entry(uuid.New())
		cache.counted(entry, events)
		return entry
	}
	cached := func(entry *cachedBooks) bool { return cache.entries[entry.userID] == entry }

	first, second := use(40), use(40)
	if !cached(first) || !cached(second) || cache.events != 80 {
		t.Fatalf("two books of 40 events: cached %v %v, %d events counted", cached(first), cached(second), cache.events)
	}

	// Using the first again makes the second the least recently used.
	cache.entry(first.userID)
	third := use(30)
	if cached(second) || !cached(first) || !cached(third) || cache.events != 70 {
		t.Fatalf("over the bound, the least recently used goes: cached %v %v %v, %d events",
			cached(first), cached(second), cached(third), cache.events)
	}

	// Books that grow past the bound push the others out, but stay themselves.
	cache.counted(third, 250)
	if !cached(third) || cached(first) || cache.events != 250 || len(cache.entries) != 1 {
		t.Fatalf("books alone over the bound: cached %v, %d entries, %d events", cached(third),
			len(cache.entries), cache.events)
	}

	// Counting books that were evicted meanwhile changes nothing.
	cache.counted(first, 1000)
	if cache.events != 250 {
		t.Fatalf("an evicted entry was counted: %d events", cache.events)
	}

	cache.forget(third.userID)
	if cache.events != 0 || len(cache.entries) != 0 {
		t.Fatalf("after forgetting: %d entries, %d events", len(cache.entries), cache.events)
	}
}

func TestBooksCacheKeepsWithinItsUsers(t *testing.T) {
	cache := newBooksCache(2)
	first := cache.entry(uuid.New())
	cache.counted(first, 5)
	cache.entry(uuid.New())
	cache.entry(uuid.New())
	if cache.entries[first.userID] == first || len(cache.entries) != 2 || cache.events != 0 {
		t.Fatalf("a third user evicts the first: %d entries, %d events", len(cache.entries), cache.events)
	}
}
