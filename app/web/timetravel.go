package web

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
)

// timeTravelJournalPageSize is how many transactions the journal of a past moment shows at
// once.
const timeTravelJournalPageSize = 100

// timeTravelView is the data of pages/timetravel.html: the books as they were right after
// one event, folded from the events alone.
type timeTravelView struct {
	OwnerEmail string
	Audited    bool
	BookParam  string
	Date       string // the date asked for, if any

	Version     int64 // events folded
	Latest      int64 // events in the book now
	Event       *historyEntry
	PreviousURL string
	NextURL     string
	LatestURL   string

	TrialBalance []timeTravelRow
	Totals       []timeTravelAmount
	BalanceSheet []timeTravelSection
	Balanced     bool

	Journal       []timeTravelTransaction
	JournalTotal  int
	JournalOffset int
	JournalMore   string // URL of the next journal page, or ""
}

// timeTravelAmount is an amount as the page shows it.
type timeTravelAmount struct {
	Text     string
	Currency string
}

func newTimeTravelAmount(amount decimal.Decimal, currency string) timeTravelAmount {
	return timeTravelAmount{Text: domain.FormatAmount(amount), Currency: currency}
}

// timeTravelRow is one account's balance in one currency.
type timeTravelRow struct {
	Type    string
	Account string
	timeTravelAmount
}

// timeTravelSection is one part of the balance sheet with its total per currency.
type timeTravelSection struct {
	Title  string
	Rows   []timeTravelRow
	Totals []timeTravelAmount
}

// timeTravelTransaction is one transaction of the journal as it was.
type timeTravelTransaction struct {
	Date        string
	Description string
	Payee       string
	Revision    int
	Voided      bool
	Postings    []string
}

// timeTravelPage answers GET /time-travel[?version=N | ?date=YYYY-MM-DD][&journal_offset=]:
// the trial balance, balance sheet and journal right after event N, or after the last event
// recorded by the end of that day (UTC), folded from the events and never read from the read
// models. Without either it shows the books now.
func (s *Server) timeTravelPage(c *fiber.Ctx) error {
	access := bookAccessOf(c)
	ctx := c.UserContext()
	point, err := parseHistoryPoint(c.Query("version"), c.Query("date"))
	if err != nil {
		return err
	}
	offset, err := strconv.Atoi(c.Query("journal_offset", "0"))
	if err != nil || offset < 0 {
		return domain.Invalid("journal_offset", "use the links under the journal")
	}
	books, latest, err := s.booksAt(ctx, access.OwnerID, point)
	if err != nil {
		return err
	}

	data := timeTravelView{OwnerEmail: access.OwnerEmail, Audited: access.audited(),
		BookParam: c.Query(bookQueryParameter), Date: c.Query("date"), Version: books.Version,
		Latest: latest}
	data.Event, err = s.eventAt(c, access.OwnerID, books.Version)
	if err != nil {
		return err
	}
	data.stepLinks()
	data.fillStatements(books)
	data.fillJournal(books, offset)
	return s.render(c, "timetravel", "", data)
}

// parseHistoryPoint reads ?version=N or ?date=YYYY-MM-DD; neither means now.
func parseHistoryPoint(versionText, dateText string) (projections.HistoryPoint, error) {
	if versionText != "" && dateText != "" {
		return projections.HistoryPoint{}, domain.Invalid("version", "give a version or a date, not both")
	}
	if dateText != "" {
		date, err := domain.ParseDate("date", dateText)
		if err != nil {
			return projections.HistoryPoint{}, err
		}
		return projections.HistoryPoint{Before: date.AddDays(1).Time()}, nil
	}
	if versionText == "" {
		return projections.HistoryPoint{}, nil
	}
	version, err := strconv.ParseInt(versionText, 10, 64)
	if err != nil || version < 0 {
		return projections.HistoryPoint{}, domain.Invalid("version", "use a whole number of events")
	}
	if version == 0 {
		// Before the first event: FoldAt reads version 0 as "all", so ask for a moment
		// before anything was recorded.
		return projections.HistoryPoint{Before: time.Unix(0, 0)}, nil
	}
	return projections.HistoryPoint{Version: version}, nil
}

// eventAt describes the event with version, or returns nil for version 0.
func (s *Server) eventAt(c *fiber.Ctx, ownerID uuid.UUID, version int64) (*historyEntry, error) {
	if version == 0 {
		return nil, nil
	}
	events, err := s.historyEvents(c.UserContext(), ownerID, historyFilter{Before: version + 1}, 1)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	entries, err := s.describeHistory(c, ownerID, events)
	if err != nil {
		return nil, err
	}
	return &entries[0], nil
}

func (v *timeTravelView) pointURL(version int64, offset int) string {
	query := url.Values{"version": {strconv.FormatInt(version, 10)}}
	if v.BookParam != "" {
		query.Set(bookQueryParameter, v.BookParam)
	}
	if offset > 0 {
		query.Set("journal_offset", strconv.Itoa(offset))
	}
	return "/time-travel?" + query.Encode()
}

func (v *timeTravelView) stepLinks() {
	if v.Version > 0 {
		v.PreviousURL = v.pointURL(v.Version-1, 0)
	}
	if v.Version < v.Latest {
		v.NextURL = v.pointURL(v.Version+1, 0)
		v.LatestURL = v.pointURL(v.Latest, 0)
	}
}

// fillStatements computes the trial balance and the balance sheet. The balance sheet shows
// assets as they stand and liabilities, equity and the net income (income and expenses) with
// the sign turned, so that in balanced books assets equal the rest in every currency.
func (v *timeTravelView) fillStatements(books *domain.Books) {
	rows := books.TrialBalance(domain.Date{})
	totals := map[string]decimal.Decimal{}
	sections := map[domain.AccountType]*timeTravelSection{
		domain.Asset:     {Title: "Assets"},
		domain.Liability: {Title: "Liabilities"},
		domain.Equity:    {Title: "Equity"},
	}
	sectionTotals := map[*timeTravelSection]map[string]decimal.Decimal{}
	netIncome := map[string]decimal.Decimal{}
	for _, row := range rows {
		v.TrialBalance = append(v.TrialBalance, timeTravelRow{Type: string(row.AccountType),
			Account: row.AccountName, timeTravelAmount: newTimeTravelAmount(row.Amount, row.Currency)})
		totals[row.Currency] = totals[row.Currency].Add(row.Amount)

		section, ok := sections[row.AccountType]
		if !ok {
			netIncome[row.Currency] = netIncome[row.Currency].Sub(row.Amount)
			continue
		}
		shown := row.Amount
		if row.AccountType != domain.Asset {
			shown = shown.Neg()
		}
		section.Rows = append(section.Rows, timeTravelRow{Account: row.AccountName,
			timeTravelAmount: newTimeTravelAmount(shown, row.Currency)})
		if sectionTotals[section] == nil {
			sectionTotals[section] = map[string]decimal.Decimal{}
		}
		sectionTotals[section][row.Currency] = sectionTotals[section][row.Currency].Add(shown)
	}
	v.Totals = timeTravelAmounts(totals, true)

	v.Balanced = true
	for _, total := range totals {
		v.Balanced = v.Balanced && total.IsZero()
	}
	for _, accountType := range []domain.AccountType{domain.Asset, domain.Liability, domain.Equity} {
		section := sections[accountType]
		section.Totals = timeTravelAmounts(sectionTotals[section], false)
		v.BalanceSheet = append(v.BalanceSheet, *section)
	}
	earnings := timeTravelSection{Title: "Net income (income less expenses)",
		Totals: timeTravelAmounts(netIncome, false)}
	v.BalanceSheet = append(v.BalanceSheet, earnings)
}

// timeTravelAmounts returns one amount per currency in alphabetical order; zeros are left
// out unless keepZero.
func timeTravelAmounts(sums map[string]decimal.Decimal, keepZero bool) []timeTravelAmount {
	var amounts []timeTravelAmount
	for currency, sum := range sums {
		if keepZero || !sum.IsZero() {
			amounts = append(amounts, newTimeTravelAmount(sum, currency))
		}
	}
	slices.SortFunc(amounts, func(a, b timeTravelAmount) int { return cmp.Compare(a.Currency, b.Currency) })
	return amounts
}

// fillJournal lists one page of the transactions as they were, latest accounting date first,
// voided ones included and marked.
func (v *timeTravelView) fillJournal(books *domain.Books, offset int) {
	transactions := books.Transactions()
	slices.SortStableFunc(transactions, func(a, b *domain.Transaction) int {
		if c := b.Date.Time().Compare(a.Date.Time()); c != 0 {
			return c
		}
		return cmp.Compare(b.RecordedVersion, a.RecordedVersion)
	})
	names := map[uuid.UUID]string{}
	for _, account := range books.Accounts() {
		names[account.ID] = account.Name
	}

	v.JournalTotal, v.JournalOffset = len(transactions), offset
	end := min(offset+timeTravelJournalPageSize, len(transactions))
	for _, txn := range transactions[min(offset, end):end] {
		v.Journal = append(v.Journal, timeTravelTransaction{Date: txn.Date.String(),
			Description: txn.Description, Payee: txn.Payee, Revision: txn.Revision,
			Voided: txn.Voided, Postings: postingLines(txn.Entry, func(id uuid.UUID) string {
				return accountLabel(names, id)
			})})
	}
	if end < len(transactions) {
		v.JournalMore = v.pointURL(v.Version, end)
	}
}

// booksAt folds the book up to point (now, when point is zero) and returns it with the
// number of events the book has now. A version past the end is not found.
func (s *Server) booksAt(ctx context.Context, ownerID uuid.UUID,
	point projections.HistoryPoint) (*domain.Books, int64, error) {
	latest, err := s.store.StreamVersion(ctx, ownerID)
	if err != nil {
		return nil, 0, err
	}
	if point.Before.IsZero() && point.Version == 0 {
		point.Version = latest
	}
	if point.Version > latest {
		return nil, 0, domain.NotFound("these books have %d events, not %d", latest, point.Version)
	}
	books, err := s.timeTravel.foldAt(ctx, s.pool, ownerID, point, latest)
	if err != nil {
		return nil, 0, fmt.Errorf("time travel in %s: %w", ownerID, err)
	}
	return books, latest, nil
}
