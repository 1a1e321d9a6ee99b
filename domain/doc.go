// Package domain is Folio's bookkeeping model: the commands a user can give,
// the events that record what happened, and the rules that turn one into the
// other. It does no I/O and reads no clock: time and new ids are passed in,
// so the same code serves the command side, time travel and verification.
//
// A user's books are a fold over their events (see Books.Apply). Decide checks
// a command against the current books and returns the events to append, or an
// *Error whose message a bookkeeper can read.
package domain
