package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// ledgerLineView is one posting of the general ledger.
type ledgerLineView struct {
	Date        string
	Description string
	Payee       string
	Href        string
	Amount      reportMoney
	Balance     reportMoney
}

// generalLedgerView is the data of pages/reports_general_ledger.html.
type generalLedgerView struct {
	Filter  reportFilterView
	Account string
	Type    string
	Chosen  bool
	Opening []reportTotalView
	Closing []reportTotalView
	Lines   []ledgerLineView
	Next    string
	Later   bool // this page is not the first
}

// generalLedgerPage answers GET /reports/general-ledger: one account's
// postings over a period, oldest first, with the running balance, a page
// at a time. Without an account it shows the choice of accounts.
func (s *Server) generalLedgerPage(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	accounts, err := projections.Accounts(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return err
	}
	accountID, chosen := uuid.Nil, c.Query("account")
	view := generalLedgerView{Filter: report.filterView(reportOverPeriod, "/reports/general-ledger")}
	for _, account := range accounts {
		selected := account.AccountID.String() == chosen
		if selected {
			accountID = account.AccountID
		}
		view.Filter.Accounts = append(view.Filter.Accounts, reportOption{Value: account.AccountID.String(),
			Label: account.Name, Selected: selected})
	}
	if chosen == "" {
		return s.render(c, "reports_general_ledger", "reports_body", view)
	}
	if accountID == uuid.Nil {
		return domain.NotFound("there is no such account")
	}
	var after *projections.LedgerCursor
	if text := c.Query("after"); text != "" {
		if after, err = projections.ParseLedgerCursor(text); err != nil {
			return err
		}
	}
	ledger, err := projections.BuildGeneralLedger(c.UserContext(), s.pool, bookOf(c), accountID, report.period,
		projections.PageSizeDefault, after)
	if err != nil {
		return err
	}

	view.Chosen, view.Account, view.Type = true, ledger.Account.Name, reportTypeLabel(ledger.Account.Type)
	view.Later = after != nil
	view.Filter.CSV += "&" + url.Values{"account": {accountID.String()}}.Encode()
	view.Opening, view.Closing = totalsView(ledger.Opening), totalsView(ledger.Closing)
	for _, line := range ledger.Lines {
		view.Lines = append(view.Lines, ledgerLineView{Date: line.Date.String(), Description: line.Description,
			Payee: line.Payee, Href: "/transactions/" + line.TransactionID.String(),
			Amount: reportMoneyOf(line.Amount, line.Currency), Balance: reportMoneyOf(line.Balance, line.Currency)})
	}
	if ledger.Next != nil {
		view.Next = "/reports/general-ledger?" + report.queryString(reportOverPeriod,
			url.Values{"account": {accountID.String()}, "after": {ledger.Next.String()}})
	}
	return s.render(c, "reports_general_ledger", "reports_body", view)
}
