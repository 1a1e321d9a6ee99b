package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"folio/app/charts"
	"folio/projections"
)

// noPayee names the transactions without a payee in a breakdown by payee.
const noPayee = "(no payee)"

// breakdownLineView is one account's or payee's share.
type breakdownLineView struct {
	Name     string
	Href     string
	Currency string
	Amount   reportMoney
	Percent  string
}

// breakdownSectionView is expenses or income, largest first.
type breakdownSectionView struct {
	Title  string
	Lines  []breakdownLineView
	Totals []reportTotalView
}

// breakdownView is the data of pages/reports_breakdown.html.
type breakdownView struct {
	Filter     reportFilterView
	ByPayee    bool
	Sections   []breakdownSectionView
	Charts     []reportChart
	Conversion *reportConversionView
}

// breakdownByAccountPage answers GET /reports/by-account: expenses and
// income of a period per account, with spending by category drawn.
func (s *Server) breakdownByAccountPage(c *fiber.Ctx) error { return s.breakdownPage(c, false) }

// breakdownByPayeePage answers GET /reports/by-payee: the same per payee.
func (s *Server) breakdownByPayeePage(c *fiber.Ctx) error { return s.breakdownPage(c, true) }

func (s *Server) breakdownPage(c *fiber.Ctx, byPayee bool) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetThisMonth)
	if err != nil {
		return err
	}
	breakdown, err := projections.BuildBreakdown(c.UserContext(), s.pool, bookOf(c), report.period, byPayee, report.options)
	if err != nil {
		return err
	}

	action := "/reports/by-account"
	if byPayee {
		action = "/reports/by-payee"
	}
	view := breakdownView{Filter: report.filterView(reportOverPeriod, action), ByPayee: byPayee,
		Conversion: conversionView(breakdown.Conversion)}
	view.Sections = []breakdownSectionView{
		breakdownSection("Expenses", breakdown.Expenses, breakdown.ExpenseTotals, report),
		breakdownSection("Income", breakdown.Income, breakdown.IncomeTotals, report),
	}
	view.Charts = spendingCharts(breakdown)
	return s.render(c, "reports_breakdown", "reports_body", view)
}

func breakdownSection(title string, lines []projections.BreakdownLine, totals projections.Amounts,
	report reportContext) breakdownSectionView {
	section := breakdownSectionView{Title: title, Totals: totalsView(totals)}
	for _, line := range lines {
		section.Lines = append(section.Lines, breakdownLineView{Name: breakdownName(line),
			Href: ledgerHref(line.Account.ID, report), Currency: line.Currency,
			Amount: reportMoneyOf(line.Amount, line.Currency), Percent: line.Percent.String() + "%"})
	}
	return section
}

func breakdownName(line projections.BreakdownLine) string {
	if line.Account.ID != [16]byte{} {
		return line.Account.Name
	}
	if line.Payee == "" {
		return noPayee
	}
	return line.Payee
}

// spendingCharts draws the expenses of each currency as bars, largest first.
func spendingCharts(breakdown projections.Breakdown) []reportChart {
	var drawn []reportChart
	for _, currency := range breakdown.ExpenseTotals.Currencies() {
		var labels []string
		var values []decimal.Decimal
		for _, line := range breakdown.Expenses {
			if line.Currency == currency && line.Amount.IsPositive() {
				labels = append(labels, breakdownName(line))
				values = append(values, line.Amount)
			}
		}
		if len(values) == 0 {
			continue
		}
		title := "Spending by category in " + currency
		if breakdown.ByPayee {
			title = "Spending by payee in " + currency
		}
		drawn = append(drawn, reportChart{Title: title, SVG: charts.Bars(charts.Chart{ID: "spending-" + currency,
			Title: title, Unit: currency, Labels: labels,
			Series: []charts.Series{{Name: "Spent", Color: charts.ColorExpense, Values: values}}}, "Other")})
	}
	return drawn
}
