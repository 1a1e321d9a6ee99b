package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"folio/app/charts"
	"folio/projections"
)

// netWorthMonths is how many month ends the net worth chart shows.
const netWorthMonths = 12

// reportSectionView is a section of a statement with its totals.
type reportSectionView struct {
	Title  string
	Lines  []reportLineView
	Totals []reportTotalView
}

// balanceSheetView is the data of pages/reports_balance_sheet.html.
type balanceSheetView struct {
	Filter               reportFilterView
	FiscalYearStart      string
	Sections             []reportSectionView
	LiabilitiesAndEquity []reportTotalView
	Charts               []reportChart
	Conversion           *reportConversionView
}

// balanceSheetPage answers GET /reports/balance-sheet: assets, liabilities
// and equity as of a date, with the net worth of the last twelve months.
func (s *Server) balanceSheetPage(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportAsOf, "")
	if err != nil {
		return err
	}
	sheet, err := projections.BuildBalanceSheet(c.UserContext(), s.pool, bookOf(c), report.asOf,
		report.fiscalStartMonth, report.options)
	if err != nil {
		return err
	}
	worth, err := projections.BuildNetWorth(c.UserContext(), s.pool, bookOf(c), report.asOf, netWorthMonths,
		report.options)
	if err != nil {
		return err
	}

	view := balanceSheetView{Filter: report.filterView(reportAsOf, "/reports/balance-sheet"),
		FiscalYearStart: longDate(sheet.FiscalYearStart), Conversion: conversionView(sheet.Conversion),
		Charts: netWorthCharts(worth)}
	view.Sections = []reportSectionView{
		sectionView("Assets", sheet.Assets, report),
		sectionView("Liabilities", sheet.Liabilities, report),
		sectionView("Equity", sheet.Equity, report),
	}
	view.LiabilitiesAndEquity = totalsView(sheet.LiabilitiesAndEquity())
	return s.render(c, "reports_balance_sheet", "reports_body", view)
}

func sectionView(title string, section projections.Section, report reportContext) reportSectionView {
	view := reportSectionView{Title: title, Totals: totalsView(section.Totals)}
	for _, line := range section.Lines {
		view.Lines = append(view.Lines, reportLineView{Account: line.Account.Name, Type: reportTypeLabel(line.Account.Type),
			Href: ledgerHref(line.Account.ID, report), Currency: line.Currency,
			Amount: reportMoneyOf(line.Amount, line.Currency)})
	}
	return view
}

func totalsView(totals projections.Amounts) []reportTotalView {
	var views []reportTotalView
	for _, currency := range totals.Currencies() {
		views = append(views, reportTotalView{Currency: currency, Amount: reportMoneyOf(totals[currency], currency)})
	}
	return views
}

// netWorthCharts draws assets, liabilities and net worth per currency.
func netWorthCharts(worth projections.NetWorth) []reportChart {
	labels := make([]string, len(worth.Dates))
	for i, date := range worth.Dates {
		labels[i] = shortMonth(date)
	}
	var drawn []reportChart
	for _, series := range worth.Series {
		assets := make([]decimal.Decimal, len(series.Points))
		debts := make([]decimal.Decimal, len(series.Points))
		net := make([]decimal.Decimal, len(series.Points))
		for i, point := range series.Points {
			assets[i], debts[i], net[i] = point.Assets, point.Liabilities, point.Net()
		}
		title := "Net worth in " + series.Currency
		drawn = append(drawn, reportChart{Title: title, SVG: charts.Lines(charts.Chart{
			ID: "net-worth-" + series.Currency, Title: title, Unit: series.Currency, Labels: labels,
			Series: []charts.Series{
				{Name: "Assets", Color: charts.ColorAssets, Values: assets},
				{Name: "Liabilities", Color: charts.ColorDebts, Values: debts},
				{Name: "Net worth", Color: charts.ColorNet, Values: net},
			}})})
	}
	return drawn
}
