package domain

import "github.com/google/uuid"

// SubjectOf returns the account or transaction whose history an event
// belongs to, for the events that open, change or close one. The event
// store keeps it beside each event so that an event's earlier versions are
// found by one index probe.
func SubjectOf(event Event) (uuid.UUID, bool) {
	switch e := event.(type) {
	case TransactionRecorded:
		return e.TransactionID, true
	case TransactionAmended:
		return e.TransactionID, true
	case TransactionVoided:
		return e.TransactionID, true
	case AccountOpened:
		return e.AccountID, true
	case AccountRenamed:
		return e.AccountID, true
	case AccountClosed:
		return e.AccountID, true
	case AccountReopened:
		return e.AccountID, true
	}
	return uuid.Nil, false
}
