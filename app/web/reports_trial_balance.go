package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/projections"
)

// reportLineView is one account's line of a statement.
type reportLineView struct {
	Account  string
	Type     string
	Href     string // the account's general ledger; "" for computed lines
	Currency string
	Amount   reportMoney
	Debit    reportMoney
	Credit   reportMoney
}

// reportTotalView is a total per currency.
type reportTotalView struct {
	Currency string
	Amount   reportMoney
	Debit    reportMoney
	Credit   reportMoney
	Balanced bool
}

// trialBalanceView is the data of pages/reports_trial_balance.html.
type trialBalanceView struct {
	Filter     reportFilterView
	Lines      []reportLineView
	Totals     []reportTotalView
	Conversion *reportConversionView
}

// trialBalancePage answers GET /reports/trial-balance: every account's
// balance as of a date, debits and credits in two columns.
func (s *Server) trialBalancePage(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportAsOf, "")
	if err != nil {
		return err
	}
	balance, err := projections.BuildTrialBalance(c.UserContext(), s.pool, bookOf(c), report.asOf, report.options)
	if err != nil {
		return err
	}

	view := trialBalanceView{Filter: report.filterView(reportAsOf, "/reports/trial-balance"),
		Conversion: conversionView(balance.Conversion)}
	for _, line := range balance.Lines {
		row := reportLineView{Account: line.Account.Name, Type: reportTypeLabel(line.Account.Type),
			Href: ledgerHref(line.Account.ID, report), Currency: line.Currency}
		if line.Amount.IsPositive() {
			row.Debit = reportMoneyOf(line.Amount, line.Currency)
		} else {
			row.Credit = reportMoneyOf(line.Amount.Neg(), line.Currency)
		}
		view.Lines = append(view.Lines, row)
	}
	for _, currency := range unionOfAmounts(balance.Debits, balance.Credits) {
		debit, credit := balance.Debits[currency], balance.Credits[currency]
		view.Totals = append(view.Totals, reportTotalView{Currency: currency, Debit: reportMoneyOf(debit, currency),
			Credit: reportMoneyOf(credit, currency), Amount: reportMoneyOf(debit.Sub(credit), currency),
			Balanced: debit.Equal(credit)})
	}
	return s.render(c, "reports_trial_balance", "reports_body", view)
}

// ledgerHref links an account to its general ledger over the fiscal year
// up to the report's date; computed lines have no account and no link.
func ledgerHref(accountID uuid.UUID, report reportContext) string {
	if accountID == uuid.Nil {
		return ""
	}
	from := projections.FiscalYearStart(report.asOf, report.fiscalStartMonth)
	to := report.asOf
	if report.preset != "" {
		from, to = report.period.From, report.period.To
	}
	values := url.Values{"account": {accountID.String()}, "period": {projections.PresetCustom},
		"from": {from.String()}, "to": {to.String()}}
	return "/reports/general-ledger?" + values.Encode()
}

func unionOfAmounts(sets ...projections.Amounts) []string {
	union := projections.Amounts{}
	for _, set := range sets {
		for currency, amount := range set {
			union[currency] = amount
		}
	}
	return union.Currencies()
}
