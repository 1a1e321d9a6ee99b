package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// The reports API. Every amount is a decimal string. Parameters: tag counts
// only transactions with that tag; convert=XXX converts every amount into
// currency XXX with the rates in the books, and the answer then lists the
// rates used and the ones missing, whose amounts stay in their currency.

// reportRowJSON is one line of a statement. AccountID is null for the lines
// a balance sheet computes (earnings, currency conversions).
type reportRowJSON struct {
	Section     string  `json:"section,omitempty"`
	AccountID   *string `json:"account_id"`
	Account     string  `json:"account"`
	AccountType string  `json:"account_type"`
	Currency    string  `json:"currency"`
	Amount      string  `json:"amount"`
	Previous    *string `json:"previous_amount,omitempty"`
}

// reportTotalJSON is a total of a section (or of the whole report) in one currency.
type reportTotalJSON struct {
	Section  string `json:"section,omitempty"`
	Currency string `json:"currency"`
	Amount   string `json:"amount,omitempty"`
	Debit    string `json:"debit,omitempty"`
	Credit   string `json:"credit,omitempty"`
	Previous string `json:"previous_amount,omitempty"`
}

// conversionJSON says how a converted report converted.
type conversionJSON struct {
	Currency string     `json:"currency"`
	Rates    []rateJSON `json:"rates"`
	Missing  []rateJSON `json:"missing"`
}

type rateJSON struct {
	Currency string  `json:"currency"`
	ValuedOn string  `json:"valued_on"`
	Rate     *string `json:"rate,omitempty"` // one unit of currency in the converted currency
	RateDate *string `json:"rate_date,omitempty"`
	Entered  *bool   `json:"entered,omitempty"`
}

func reportRowOf(section string, account projections.ReportAccount, currency string, amount string) reportRowJSON {
	row := reportRowJSON{Section: section, Account: account.Name, AccountType: string(account.Type),
		Currency: currency, Amount: amount}
	if account.ID != uuid.Nil {
		id := account.ID.String()
		row.AccountID = &id
	}
	return row
}

func conversionJSONOf(conversion *projections.Conversion) *conversionJSON {
	if conversion == nil {
		return nil
	}
	response := &conversionJSON{Currency: conversion.Base, Rates: []rateJSON{}, Missing: []rateJSON{}}
	for _, rate := range conversion.Used {
		perUnit, date, entered := rate.PerUnit().String(), rate.Date.String(), rate.Entered
		response.Rates = append(response.Rates, rateJSON{Currency: rate.Currency, ValuedOn: rate.AsOf.String(),
			Rate: &perUnit, RateDate: &date, Entered: &entered})
	}
	for _, rate := range conversion.Missing {
		response.Missing = append(response.Missing, rateJSON{Currency: rate.Currency, ValuedOn: rate.AsOf.String()})
	}
	return response
}

// apiReportOptions reads tag and convert.
func apiReportOptions(c *fiber.Ctx) (projections.ReportOptions, error) {
	options := projections.ReportOptions{Tag: c.Query("tag")}
	if convert := c.Query("convert"); convert != "" {
		currency, err := domain.NormalizeCurrency("convert", convert)
		if err != nil {
			return options, asBadParameter(err)
		}
		options.ConvertTo = currency
	}
	return options, nil
}

// requiredDate reads a date parameter that must be there.
func requiredDate(c *fiber.Ctx, name string) (domain.Date, error) {
	if c.Query(name) == "" {
		return domain.Date{}, badParameter(name, "give a date as YYYY-MM-DD")
	}
	return queryDate(c, name)
}

// apiTrialBalance answers GET /api/v1/reports/trial-balance?as_of=YYYY-MM-DD:
// every account's balance, debits positive and credits negative, with the
// debits and credits per currency.
func (s *Server) apiTrialBalance(c *fiber.Ctx) error {
	asOf, err := requiredDate(c, "as_of")
	if err != nil {
		return err
	}
	options, err := apiReportOptions(c)
	if err != nil {
		return err
	}
	balance, err := projections.BuildTrialBalance(c.UserContext(), s.pool, bookOf(c), asOf, options)
	if err != nil {
		return err
	}

	rows := make([]reportRowJSON, 0, len(balance.Lines))
	for _, line := range balance.Lines {
		rows = append(rows, reportRowOf("", line.Account, line.Currency, domain.FormatAmount(line.Amount)))
	}
	totals := []reportTotalJSON{}
	for _, currency := range unionOfAmounts(balance.Debits, balance.Credits) {
		totals = append(totals, reportTotalJSON{Currency: currency,
			Debit: domain.FormatAmount(balance.Debits[currency]), Credit: domain.FormatAmount(balance.Credits[currency])})
	}
	return c.JSON(fiber.Map{"as_of": asOf.String(), "rows": rows, "totals": totals,
		"conversion": conversionJSONOf(balance.Conversion)})
}

// apiBalanceSheet answers GET /api/v1/reports/balance-sheet?as_of=YYYY-MM-DD.
// Amounts are as the statement presents them: assets, and the credit
// balances of liabilities and equity, are positive.
func (s *Server) apiBalanceSheet(c *fiber.Ctx) error {
	asOf, err := requiredDate(c, "as_of")
	if err != nil {
		return err
	}
	options, err := apiReportOptions(c)
	if err != nil {
		return err
	}
	report, err := s.reportSettings(c)
	if err != nil {
		return err
	}
	sheet, err := projections.BuildBalanceSheet(c.UserContext(), s.pool, bookOf(c), asOf, report.fiscalStartMonth, options)
	if err != nil {
		return err
	}

	rows, totals := []reportRowJSON{}, []reportTotalJSON{}
	for _, part := range []struct {
		name    string
		section projections.Section
	}{{"assets", sheet.Assets}, {"liabilities", sheet.Liabilities}, {"equity", sheet.Equity}} {
		for _, line := range part.section.Lines {
			rows = append(rows, reportRowOf(part.name, line.Account, line.Currency, domain.FormatAmount(line.Amount)))
		}
		for _, currency := range part.section.Totals.Currencies() {
			totals = append(totals, reportTotalJSON{Section: part.name, Currency: currency,
				Amount: domain.FormatAmount(part.section.Totals[currency])})
		}
	}
	return c.JSON(fiber.Map{"as_of": asOf.String(), "fiscal_year_start": sheet.FiscalYearStart.String(),
		"rows": rows, "totals": totals, "conversion": conversionJSONOf(sheet.Conversion)})
}

// apiIncomeStatement answers GET /api/v1/reports/income-statement?from=&to=:
// income and expenses of the period, both positive, with the amounts of the
// previous period of the same length.
func (s *Server) apiIncomeStatement(c *fiber.Ctx) error {
	from, err := requiredDate(c, "from")
	if err != nil {
		return err
	}
	to, err := requiredDate(c, "to")
	if err != nil {
		return err
	}
	if to.Before(from) || to.Time().Sub(from.Time()).Hours()/24 >= reportPeriodDaysMax {
		return badParameter("to", "choose a period that ends after it starts and lasts at most five years")
	}
	options, err := apiReportOptions(c)
	if err != nil {
		return err
	}
	period := projections.Period{From: from, To: to}
	statement, err := projections.BuildIncomeStatement(c.UserContext(), s.pool, bookOf(c), period, options)
	if err != nil {
		return err
	}

	rows, totals := []reportRowJSON{}, []reportTotalJSON{}
	for _, part := range []struct {
		name         string
		lines, total []projections.IncomeLine
	}{{"income", statement.Income, statement.TotalIncome}, {"expenses", statement.Expenses, statement.TotalExpense},
		{"net_income", nil, statement.NetIncome}} {
		for _, line := range part.lines {
			row := reportRowOf(part.name, line.Account, line.Currency, domain.FormatAmount(line.Total))
			previous := domain.FormatAmount(line.Previous)
			row.Previous = &previous
			rows = append(rows, row)
		}
		for _, line := range part.total {
			totals = append(totals, reportTotalJSON{Section: part.name, Currency: line.Currency,
				Amount: domain.FormatAmount(line.Total), Previous: domain.FormatAmount(line.Previous)})
		}
	}
	return c.JSON(fiber.Map{"from": from.String(), "to": to.String(),
		"previous": fiber.Map{"from": statement.Previous.From.String(), "to": statement.Previous.To.String()},
		"rows":     rows, "totals": totals, "conversion": conversionJSONOf(statement.Conversion)})
}
