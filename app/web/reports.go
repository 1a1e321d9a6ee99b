package web

import (
	"github.com/gofiber/fiber/v2"
)

// reportLink is one report on the reports page.
type reportLink struct {
	Title       string
	Href        string
	Description string
}

// reportsView is the data of pages/reports.html.
type reportsView struct {
	Reports []reportLink
	Base    string
}

// reportsPage answers GET /reports: the list of reports and exports.
func (s *Server) reportsPage(c *fiber.Ctx) error {
	report, err := s.reportSettings(c)
	if err != nil {
		return err
	}
	view := reportsView{Base: report.base, Reports: []reportLink{
		{"Balance sheet", "/reports/balance-sheet", "What you own and owe on a date, and your net worth over the last year."},
		{"Income statement", "/reports/income-statement", "Income and expenses by month, beside the previous period."},
		{"Cash flow", "/reports/cash-flow", "Money in and out, month by month."},
		{"Expenses and income by account", "/reports/by-account", "Where the money went, and where it came from."},
		{"Expenses and income by payee", "/reports/by-payee", "The same, per payee."},
		{"Trial balance", "/reports/trial-balance", "Every account's balance on a date, in debits and credits."},
		{"General ledger", "/reports/general-ledger", "One account's postings with the running balance."},
		{"Exchange rates", "/reports/rates", "The rates that convert amounts into your base currency."},
	}}
	return s.render(c, "reports", "", view)
}
