package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// Projector applies appended events to the live read-model tables as
// deltas, inside the append's transaction. It implements
// eventstore.Projector.
type Projector struct{}

// Apply projects one append's events, which all belong to one user, to
// every registered extension and then the core tables. Extensions go first
// so that they find the journal as it was before the events: an amendment
// or a void takes the old version's share out.
func (Projector) Apply(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	if err := applyExtensions(ctx, tx, liveSchema, events, nil); err != nil {
		return err
	}
	return applyEvents(ctx, tx, liveSchema, events)
}

// applyEvents folds events into a delta in memory, then writes the delta
// with a few set-based statements, whatever the number of events.
func applyEvents(ctx context.Context, tx pgx.Tx, s schema, events []eventstore.RecordedEvent) error {
	if len(events) == 0 {
		return nil
	}
	d := newDelta(events[0].UserID)
	if err := d.preload(ctx, tx, s, events); err != nil {
		return err
	}
	for _, e := range events {
		if e.UserID != d.userID {
			return fmt.Errorf("project: one batch mixes users %s and %s", d.userID, e.UserID)
		}
		if err := d.apply(e); err != nil {
			return fmt.Errorf("project event %d of %s: %w", e.Version, e.UserID, err)
		}
	}
	return d.write(ctx, tx, s)
}

// txnState is a transaction's journal row and postings as the delta knows them.
type txnState struct {
	row      JournalRow
	postings []PostingRow
	inTable  bool // the row exists in the table and must be replaced
	dirty    bool
}

type accountChange struct {
	accountID uuid.UUID
	name      *string
	closed    *bool
}

type delta struct {
	userID         uuid.UUID
	newAccounts    []AccountRow
	newAccountByID map[uuid.UUID]int
	accountChanges []accountChange
	txns           map[uuid.UUID]*txnState
	txnOrder       []uuid.UUID
	balances       map[balanceKey]decimal.Decimal
	monthly        map[monthKey]decimal.Decimal
}

func newDelta(userID uuid.UUID) *delta {
	return &delta{
		userID:         userID,
		newAccountByID: map[uuid.UUID]int{},
		txns:           map[uuid.UUID]*txnState{},
		balances:       map[balanceKey]decimal.Decimal{},
		monthly:        map[monthKey]decimal.Decimal{},
	}
}

// preload reads the current rows of transactions that the events amend or
// void but did not record themselves.
func (d *delta) preload(ctx context.Context, tx pgx.Tx, s schema, events []eventstore.RecordedEvent) error {
	recordedHere := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			recordedHere[event.TransactionID] = true
		case domain.TransactionAmended:
			if !recordedHere[event.TransactionID] {
				ids = append(ids, event.TransactionID)
			}
		case domain.TransactionVoided:
			if !recordedHere[event.TransactionID] {
				ids = append(ids, event.TransactionID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return d.loadTransactions(ctx, tx, s, ids)
}

func (d *delta) loadTransactions(ctx context.Context, tx pgx.Tx, s schema, ids []uuid.UUID) error {
	rows, err := tx.Query(ctx, `SELECT transaction_id, date, description, payee, tags, revision, voided,
		recorded_version, changed_version FROM `+s.table("journal")+
		` WHERE user_id = $1 AND transaction_id = ANY($2)`, d.userID, pgUUIDs(ids))
	if err != nil {
		return fmt.Errorf("preload journal: %w", err)
	}
	journal, err := pgx.CollectRows(rows, scanJournalRow)
	if err != nil {
		return fmt.Errorf("preload journal: %w", err)
	}
	for _, row := range journal {
		d.txns[row.TransactionID] = &txnState{row: row, inTable: true}
	}
	rows, err = tx.Query(ctx, `SELECT transaction_id, line, account_id, amount, currency, price_amount,
		price_currency, date, recorded_version, voided FROM `+s.table("journal_postings")+
		` WHERE user_id = $1 AND transaction_id = ANY($2) ORDER BY transaction_id, line`, d.userID, pgUUIDs(ids))
	if err != nil {
		return fmt.Errorf("preload postings: %w", err)
	}
	postings, err := pgx.CollectRows(rows, scanPostingRow)
	if err != nil {
		return fmt.Errorf("preload postings: %w", err)
	}
	for _, posting := range postings {
		if state := d.txns[posting.TransactionID]; state != nil {
			state.postings = append(state.postings, posting)
		}
	}
	return nil
}

func (d *delta) apply(e eventstore.RecordedEvent) error {
	switch event := e.Event.(type) {
	case domain.AccountOpened:
		d.newAccountByID[event.AccountID] = len(d.newAccounts)
		d.newAccounts = append(d.newAccounts, AccountRow{AccountID: event.AccountID, Name: event.Name,
			Type: event.Type, Currency: event.Currency, OpenedVersion: e.Version})
	case domain.AccountRenamed:
		d.changeAccount(accountChange{accountID: event.AccountID, name: &event.Name})
	case domain.AccountClosed:
		closed := true
		d.changeAccount(accountChange{accountID: event.AccountID, closed: &closed})
	case domain.AccountReopened:
		closed := false
		d.changeAccount(accountChange{accountID: event.AccountID, closed: &closed})
	case domain.TransactionRecorded:
		return d.record(event, e.Version)
	case domain.TransactionAmended:
		return d.amend(event, e.Version)
	case domain.TransactionVoided:
		return d.void(event, e.Version)
	}
	return nil
}

// changeAccount edits an account opened in this batch in memory, and
// queues an update for one that is already in the table.
func (d *delta) changeAccount(change accountChange) {
	if i, ok := d.newAccountByID[change.accountID]; ok {
		if change.name != nil {
			d.newAccounts[i].Name = *change.name
		}
		if change.closed != nil {
			d.newAccounts[i].Closed = *change.closed
		}
		return
	}
	d.accountChanges = append(d.accountChanges, change)
}

func (d *delta) record(event domain.TransactionRecorded, version int64) error {
	if _, exists := d.txns[event.TransactionID]; exists {
		return fmt.Errorf("transaction %s recorded twice", event.TransactionID)
	}
	txn := &domain.Transaction{ID: event.TransactionID, Entry: event.Entry, Revision: 1,
		RecordedVersion: version, ChangedVersion: version}
	d.txns[txn.ID] = &txnState{row: journalRowOf(txn), postings: postingRowsOf(txn), dirty: true}
	d.txnOrder = append(d.txnOrder, txn.ID)
	d.addTotals(event.Entry, false)
	return nil
}

func (d *delta) amend(event domain.TransactionAmended, version int64) error {
	state, err := d.current(event.TransactionID)
	if err != nil {
		return err
	}
	d.addTotals(state.entry(), true)
	txn := &domain.Transaction{ID: event.TransactionID, Entry: event.Entry, Revision: state.row.Revision + 1,
		RecordedVersion: state.row.RecordedVersion, ChangedVersion: version}
	state.row, state.postings = journalRowOf(txn), postingRowsOf(txn)
	d.addTotals(event.Entry, false)
	return nil
}

func (d *delta) void(event domain.TransactionVoided, version int64) error {
	state, err := d.current(event.TransactionID)
	if err != nil {
		return err
	}
	d.addTotals(state.entry(), true)
	state.row.Voided, state.row.ChangedVersion = true, version
	for i := range state.postings {
		state.postings[i].Voided = true
	}
	return nil
}

// current returns the live state of a transaction that may still change.
func (d *delta) current(id uuid.UUID) (*txnState, error) {
	state, ok := d.txns[id]
	if !ok || state.row.Voided {
		return nil, fmt.Errorf("transaction %s is unknown or voided", id)
	}
	if !state.dirty {
		state.dirty = true
		d.txnOrder = append(d.txnOrder, id)
	}
	return state, nil
}

// entry rebuilds the domain entry of a state, for subtracting its totals.
func (state *txnState) entry() domain.Entry {
	entry := domain.Entry{Date: state.row.Date}
	for _, posting := range state.postings {
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: posting.AccountID,
			Amount: posting.Amount, Currency: posting.Currency, Price: posting.Price})
	}
	return entry
}

func (d *delta) addTotals(entry domain.Entry, subtract bool) {
	for _, posting := range entry.Postings {
		amount := posting.Amount
		if subtract {
			amount = amount.Neg()
		}
		key := balanceKey{posting.AccountID, posting.Currency}
		d.balances[key] = d.balances[key].Add(amount)
	}
	addMonthly(d.monthly, entry, subtract)
}
