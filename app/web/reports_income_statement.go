package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/projections"
)

// incomeLineView is one line of the income statement: a cell per month, the
// period's total, the previous period's and the change.
type incomeLineView struct {
	Account  string
	Href     string
	Currency string
	Months   []reportMoney
	Total    reportMoney
	Previous reportMoney
	Change   reportMoney
}

// incomeSectionView is income or expenses with totals per currency.
type incomeSectionView struct {
	Title  string
	Lines  []incomeLineView
	Totals []incomeLineView
}

// incomeStatementView is the data of pages/reports_income_statement.html.
type incomeStatementView struct {
	Filter     reportFilterView
	Months     []string
	Previous   string
	Sections   []incomeSectionView
	Net        []incomeLineView
	Conversion *reportConversionView
}

// incomeStatementPage answers GET /reports/income-statement: income and
// expenses over a period by month, beside the previous period.
func (s *Server) incomeStatementPage(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	statement, err := projections.BuildIncomeStatement(c.UserContext(), s.pool, bookOf(c), report.period, report.options)
	if err != nil {
		return err
	}

	view := incomeStatementView{Filter: report.filterView(reportOverPeriod, "/reports/income-statement"),
		Previous: periodLabel(statement.Previous), Conversion: conversionView(statement.Conversion)}
	for _, month := range statement.Months {
		view.Months = append(view.Months, monthLabel(month))
	}
	view.Sections = []incomeSectionView{
		{Title: "Income", Lines: incomeLineViews(statement.Income, report), Totals: incomeLineViews(statement.TotalIncome, report)},
		{Title: "Expenses", Lines: incomeLineViews(statement.Expenses, report), Totals: incomeLineViews(statement.TotalExpense, report)},
	}
	view.Net = incomeLineViews(statement.NetIncome, report)
	return s.render(c, "reports_income_statement", "reports_body", view)
}

func incomeLineViews(lines []projections.IncomeLine, report reportContext) []incomeLineView {
	views := make([]incomeLineView, 0, len(lines))
	for _, line := range lines {
		view := incomeLineView{Account: line.Account.Name, Href: ledgerHref(line.Account.ID, report),
			Currency: line.Currency, Total: reportMoneyOf(line.Total, line.Currency),
			Previous: reportMoneyOf(line.Previous, line.Currency), Change: reportMoneyOf(line.Change(), line.Currency)}
		for _, amount := range line.Months {
			view.Months = append(view.Months, reportCell(amount, line.Currency))
		}
		views = append(views, view)
	}
	return views
}
