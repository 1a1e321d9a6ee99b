package web

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// historyDescriber is an event that describes itself in the history. Events that features
// add beside the core ledger (imports, documents, prices) implement it to read better than
// their type name.
type historyDescriber interface {
	HistoryDescription() string
}

// eventDescription is what the history says about one event: a sentence, the accounting date
// it touches ("" for events without one) and what exactly changed.
type eventDescription struct {
	Summary        string
	AccountingDate string
	Changes        []string
}

// describeEvent puts event into plain words. previous is the latest earlier event about the
// same transaction or account (nil when there is none or the event needs none); names are
// the accounts' current names.
func describeEvent(event, previous domain.Event, names map[uuid.UUID]string) eventDescription {
	name := func(id uuid.UUID) string { return accountLabel(names, id) }
	switch e := event.(type) {
	case domain.BooksOpened:
		return eventDescription{Summary: fmt.Sprintf("Opened the books in %s, fiscal year from %s",
			e.BaseCurrency, monthName(e.FiscalYearStartMonth))}
	case domain.AccountOpened:
		summary := fmt.Sprintf("Opened the %s account “%s”", e.Type, e.Name)
		if e.Currency != "" {
			summary += " for " + e.Currency + " only"
		}
		return eventDescription{Summary: summary}
	case domain.AccountRenamed:
		return describeRename(e, previous)
	case domain.AccountClosed:
		return eventDescription{Summary: "Closed the account " + name(e.AccountID)}
	case domain.AccountReopened:
		return eventDescription{Summary: "Reopened the account " + name(e.AccountID)}
	case domain.TransactionRecorded:
		return eventDescription{Summary: "Recorded " + entryTitle(e.Entry),
			AccountingDate: e.Date.String(), Changes: postingLines(e.Entry, name)}
	case domain.TransactionAmended:
		return describeAmendment(e, previous, name)
	case domain.TransactionVoided:
		return describeVoid(e, previous, name)
	case domain.SettingsChanged:
		return eventDescription{Summary: fmt.Sprintf("Changed the settings: base currency %s, "+
			"fiscal year from %s", e.BaseCurrency, monthName(e.FiscalYearStartMonth))}
	case domain.LockDateSet:
		if e.LockDate.IsZero() {
			return eventDescription{Summary: "Unlocked every date"}
		}
		return eventDescription{Summary: "Locked every date up to and including " +
			e.LockDate.String()}
	case historyDescriber:
		return eventDescription{Summary: e.HistoryDescription()}
	}
	return eventDescription{Summary: eventTypeLabel(event.EventType())}
}

func describeRename(e domain.AccountRenamed, previous domain.Event) eventDescription {
	var before string
	switch p := previous.(type) {
	case domain.AccountOpened:
		before = p.Name
	case domain.AccountRenamed:
		before = p.Name
	}
	if before == "" {
		return eventDescription{Summary: fmt.Sprintf("Renamed an account to “%s”", e.Name)}
	}
	return eventDescription{Summary: fmt.Sprintf("Renamed the account “%s” to “%s”", before, e.Name)}
}

func describeAmendment(e domain.TransactionAmended, previous domain.Event,
	name func(uuid.UUID) string) eventDescription {
	description := eventDescription{Summary: "Amended " + entryTitle(e.Entry),
		AccountingDate: e.Date.String()}
	before, ok := entryOf(previous)
	if !ok {
		description.Changes = postingLines(e.Entry, name)
		return description
	}
	description.Changes = entryChanges(before, e.Entry, name)
	if len(description.Changes) == 0 {
		description.Changes = []string{"nothing changed"}
	}
	return description
}

func describeVoid(e domain.TransactionVoided, previous domain.Event,
	name func(uuid.UUID) string) eventDescription {
	description := eventDescription{Summary: "Voided a transaction"}
	if entry, ok := entryOf(previous); ok {
		description.Summary = "Voided " + entryTitle(entry)
		description.AccountingDate = entry.Date.String()
		for _, line := range postingLines(entry, name) {
			description.Changes = append(description.Changes, "no longer counts: "+line)
		}
	}
	if e.Reason != "" {
		description.Changes = append([]string{"reason: " + e.Reason}, description.Changes...)
	}
	return description
}

// entryOf returns the content of a transaction event.
func entryOf(event domain.Event) (domain.Entry, bool) {
	switch e := event.(type) {
	case domain.TransactionRecorded:
		return e.Entry, true
	case domain.TransactionAmended:
		return e.Entry, true
	}
	return domain.Entry{}, false
}

// entryTitle names a transaction: “description” dated 2026-01-31.
func entryTitle(entry domain.Entry) string {
	title := "a transaction"
	if entry.Description != "" {
		title = "“" + entry.Description + "”"
	}
	return title + " dated " + entry.Date.String()
}

// postingLines lists each posting: "Groceries: 12.50 EUR".
func postingLines(entry domain.Entry, name func(uuid.UUID) string) []string {
	lines := make([]string, len(entry.Postings))
	for i, posting := range entry.Postings {
		lines[i] = fmt.Sprintf("%s: %s %s", name(posting.AccountID),
			domain.FormatAmount(posting.Amount), posting.Currency)
		if posting.Price != nil {
			lines[i] += " at " + domain.FormatAmount(posting.Price.Amount) + " " + posting.Price.Currency
		}
	}
	return lines
}

// entryChanges says what an amendment changed, field by field: "date changed from … to …",
// "amount on Groceries changed from 12.50 to 15.20 EUR", "posting of 3.00 EUR on Tips added".
// Postings are compared by account and currency, their amounts summed.
func entryChanges(before, after domain.Entry, name func(uuid.UUID) string) []string {
	var changes []string
	changed := func(what, from, to string) {
		if from != to {
			changes = append(changes, fmt.Sprintf("%s changed from %s to %s", what, quoteOrNone(from),
				quoteOrNone(to)))
		}
	}
	if !before.Date.Time().Equal(after.Date.Time()) {
		changes = append(changes, fmt.Sprintf("date changed from %s to %s", before.Date, after.Date))
	}
	changed("description", before.Description, after.Description)
	changed("payee", before.Payee, after.Payee)
	changed("tags", strings.Join(before.Tags, ", "), strings.Join(after.Tags, ", "))
	return append(changes, postingChanges(before.Postings, after.Postings, name)...)
}

func quoteOrNone(text string) string {
	if text == "" {
		return "nothing"
	}
	return "“" + text + "”"
}

// postingKey groups postings for comparison.
type postingKey struct {
	accountID uuid.UUID
	currency  string
}

type postingSum struct {
	amount decimal.Decimal
	prices []string
}

func sumPostings(postings []domain.Posting) (map[postingKey]*postingSum, []postingKey) {
	sums := map[postingKey]*postingSum{}
	var order []postingKey
	for _, posting := range postings {
		key := postingKey{posting.AccountID, posting.Currency}
		sum, ok := sums[key]
		if !ok {
			sum = &postingSum{}
			sums[key] = sum
			order = append(order, key)
		}
		sum.amount = sum.amount.Add(posting.Amount)
		if posting.Price != nil {
			sum.prices = append(sum.prices, domain.FormatAmount(posting.Price.Amount)+" "+
				posting.Price.Currency)
		}
	}
	return sums, order
}

func postingChanges(before, after []domain.Posting, name func(uuid.UUID) string) []string {
	oldSums, oldOrder := sumPostings(before)
	newSums, newOrder := sumPostings(after)
	var changes []string
	for _, key := range newOrder {
		now := newSums[key]
		was, existed := oldSums[key]
		switch {
		case !existed:
			changes = append(changes, fmt.Sprintf("posting of %s %s on %s added",
				domain.FormatAmount(now.amount), key.currency, name(key.accountID)))
		case !was.amount.Equal(now.amount):
			changes = append(changes, fmt.Sprintf("amount on %s changed from %s to %s %s",
				name(key.accountID), domain.FormatAmount(was.amount), domain.FormatAmount(now.amount),
				key.currency))
		}
		if existed && !slices.Equal(was.prices, now.prices) {
			changes = append(changes, fmt.Sprintf("price on %s changed from %s to %s",
				name(key.accountID), pricesText(was.prices), pricesText(now.prices)))
		}
	}
	for _, key := range oldOrder {
		if _, kept := newSums[key]; !kept {
			changes = append(changes, fmt.Sprintf("posting of %s %s on %s removed",
				domain.FormatAmount(oldSums[key].amount), key.currency, name(key.accountID)))
		}
	}
	return changes
}

func pricesText(prices []string) string {
	if len(prices) == 0 {
		return "none"
	}
	return strings.Join(prices, ", ")
}

// accountLabel names an account by its current name, or says it is unknown.
func accountLabel(names map[uuid.UUID]string, id uuid.UUID) string {
	if name, ok := names[id]; ok {
		return name
	}
	return "an unknown account (" + id.String()[:8] + ")"
}

// monthName returns the English name of month 1–12.
func monthName(month int) string {
	if month < 1 || month > 12 {
		return fmt.Sprintf("month %d", month)
	}
	return time.Month(month).String()
}

// eventTypeLabel turns an event type into words: "TransactionAmended" → "Transaction amended".
func eventTypeLabel(eventType string) string {
	var b strings.Builder
	for i, r := range eventType {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteRune(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
