// Package projections keeps Folio's read models: accounts with balances, the
// journal with its postings, and monthly totals per account and currency.
//
// Two independent paths produce the same rows. Projector applies each
// append's events to the tables as deltas, inside the append's transaction.
// Derive computes the rows from a fold of a user's events (domain.Books), and
// is what rebuilds write and what verification compares the tables against.
package projections
