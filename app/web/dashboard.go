package web

import (
	"maps"
	"slices"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
	"folio/projections"
)

// recentTransactionsMax is how many transactions the dashboard lists.
const recentTransactionsMax = 10

// monthSummary is one currency's income and expenses of a month. Income is shown positive,
// though its postings are credits.
type monthSummary struct {
	Currency string
	Income   amount
	Expenses amount
	Net      amount
}

// dashboardView is the data of pages/dashboard.html.
type dashboardView struct {
	Sheet      balanceSheet
	MonthLabel string // "January 2026"
	Month      []monthSummary
	Recent     []transactionView
	Entry      entryForm
}

// dashboardPage answers GET /: net worth, balances, this month's income and expenses, the
// latest transactions and a form to record one. htmx gets the summary, which reloads
// itself when a transaction changes.
func (s *Server) dashboardPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	userID := bookOf(c)
	today := domain.DateOf(s.now())

	accounts, err := projections.Accounts(ctx, s.pool, userID)
	if err != nil {
		return err
	}
	totals, err := projections.PeriodTotals(ctx, s.pool, userID, today.FirstOfMonth(), today)
	if err != nil {
		return err
	}
	recent, err := projections.Journal(ctx, s.pool, userID,
		projections.JournalFilter{Limit: recentTransactionsMax})
	if err != nil {
		return err
	}

	data := dashboardView{
		Sheet:      newBalanceSheet(accounts),
		MonthLabel: today.Time().Format("January 2006"),
		Month:      monthSummaries(totals),
		Recent:     transactionViews(recent.Entries),
	}
	if !isHTMX(c) || isHistoryRestore(c) {
		data.Entry = newEntryForm(c, accounts, "/")
	}
	return s.renderPart(c, "dashboard", "dashboard_summary", nil, data)
}

// monthSummaries returns income, expenses and their difference per currency.
func monthSummaries(totals projections.TypeTotals) []monthSummary {
	currencies := map[string]bool{}
	for _, accountType := range []domain.AccountType{domain.Income, domain.Expense} {
		for currency, value := range totals[accountType] {
			if !value.IsZero() {
				currencies[currency] = true
			}
		}
	}

	summaries := make([]monthSummary, 0, len(currencies))
	for _, currency := range slices.Sorted(maps.Keys(currencies)) {
		income := totals[domain.Income][currency].Neg()
		expenses := totals[domain.Expense][currency]
		summaries = append(summaries, monthSummary{Currency: currency,
			Income:   newAmount(income, currency),
			Expenses: newAmount(expenses, currency),
			Net:      newAmount(income.Sub(expenses), currency)})
	}
	return summaries
}
