package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"folio/app/charts"
	"folio/projections"
)

// cashFlowMonthView is one month of one currency's cash flow.
type cashFlowMonthView struct {
	Month          string
	Income         reportMoney
	Expenses       reportMoney
	Net            reportMoney
	NetWorthChange reportMoney
}

// cashFlowSeriesView is one currency's cash flow with its chart.
type cashFlowSeriesView struct {
	Currency string
	Months   []cashFlowMonthView
	Total    cashFlowMonthView
	Chart    reportChart
}

// cashFlowView is the data of pages/reports_cash_flow.html.
type cashFlowView struct {
	Filter     reportFilterView
	Series     []cashFlowSeriesView
	Conversion *reportConversionView
}

// cashFlowPage answers GET /reports/cash-flow: money in and out by month.
func (s *Server) cashFlowPage(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	flow, err := projections.BuildCashFlow(c.UserContext(), s.pool, bookOf(c), report.period, report.options)
	if err != nil {
		return err
	}

	view := cashFlowView{Filter: report.filterView(reportOverPeriod, "/reports/cash-flow"),
		Conversion: conversionView(flow.Conversion)}
	for _, series := range flow.Series {
		seriesView := cashFlowSeriesView{Currency: series.Currency,
			Total: cashFlowMonthOf(series.Total, "Total", series.Currency)}
		labels := make([]string, len(series.Months))
		income := make([]decimal.Decimal, len(series.Months))
		expenses := make([]decimal.Decimal, len(series.Months))
		net := make([]decimal.Decimal, len(series.Months))
		for i, month := range series.Months {
			seriesView.Months = append(seriesView.Months, cashFlowMonthOf(month, monthLabel(month.Month), series.Currency))
			labels[i] = shortMonth(month.Month.From)
			income[i], expenses[i], net[i] = month.Income, month.Expenses, month.Net
		}
		title := "Cash flow in " + series.Currency
		seriesView.Chart = reportChart{Title: title, SVG: charts.Columns(charts.Chart{ID: "cash-flow-" + series.Currency,
			Title: title, Unit: series.Currency, Labels: labels, Series: []charts.Series{
				{Name: "Money in", Color: charts.ColorIncome, Values: income},
				{Name: "Money out", Color: charts.ColorExpense, Values: expenses},
				{Name: "Net", Color: charts.ColorNet, Values: net},
			}})}
		view.Series = append(view.Series, seriesView)
	}
	return s.render(c, "reports_cash_flow", "reports_body", view)
}

func cashFlowMonthOf(month projections.CashFlowMonth, label, currency string) cashFlowMonthView {
	return cashFlowMonthView{Month: label, Income: reportMoneyOf(month.Income, currency),
		Expenses: reportMoneyOf(month.Expenses, currency), Net: reportMoneyOf(month.Net, currency),
		NetWorthChange: reportMoneyOf(month.NetWorthChange, currency)}
}
