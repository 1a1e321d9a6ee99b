// Package eventstore keeps every user's events in PostgreSQL: one append-only,
// hash-chained stream per user, with gapless versions, optimistic concurrency
// and idempotent command ids. Appends hand their events, in the same
// transaction, to the inline projections, so a request always reads its own
// writes. A commit-safe global feed serves readers that cross users.
package eventstore
