package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/export"
	"folio/domain"
	"folio/projections"
)

// csvLedgerPagesMax bounds a general ledger download: this many full pages
// of postings, which no single account of real books reaches in a period.
const csvLedgerPagesMax = 200

// Every report has a CSV download at its own path plus ".csv", with the same
// filter. Amounts are numbers with a dot; text that a spreadsheet would run
// as a formula is neutralised. A converted report ends with the rates it
// used and the currencies it could not convert.

// csvDownload writes rows with fill and sends them as name.
func csvDownload(c *fiber.Ctx, name string, fill func(w *export.CSV) error) error {
	var body bytes.Buffer
	w := export.NewCSV(&body)
	if err := fill(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return sendDownload(c, name+".csv", "text/csv; charset=utf-8", body.Bytes())
}

func writeConversionRows(w *export.CSV, conversion *projections.Conversion) error {
	if conversion == nil {
		return nil
	}
	if err := w.Row(); err != nil {
		return err
	}
	if err := w.Headings("Converted into", "Currency", "Valued on", "Rate", "Rate of", "Source"); err != nil {
		return err
	}
	for _, rate := range conversion.Used {
		source := "conversion"
		if rate.Entered {
			source = "entered"
		}
		err := w.Row(export.Text(conversion.Base), export.Text(rate.Currency), export.Date(rate.AsOf),
			export.Number(rate.PerUnit()), export.Date(rate.Date), export.Text(source))
		if err != nil {
			return err
		}
	}
	for _, rate := range conversion.Missing {
		err := w.Row(export.Text(conversion.Base), export.Text(rate.Currency), export.Date(rate.AsOf),
			export.Text("no rate: amounts left in "+rate.Currency))
		if err != nil {
			return err
		}
	}
	return nil
}

// trialBalanceCSV answers GET /reports/trial-balance.csv.
func (s *Server) trialBalanceCSV(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportAsOf, "")
	if err != nil {
		return err
	}
	balance, err := projections.BuildTrialBalance(c.UserContext(), s.pool, bookOf(c), report.asOf, report.options)
	if err != nil {
		return err
	}
	return csvDownload(c, "trial-balance-"+report.asOf.String(), func(w *export.CSV) error {
		if err := w.Headings("Account", "Type", "Currency", "Debit", "Credit"); err != nil {
			return err
		}
		for _, line := range balance.Lines {
			debit, credit := export.Text(""), export.Text("")
			if line.Amount.IsPositive() {
				debit = export.Number(line.Amount)
			} else {
				credit = export.Number(line.Amount.Neg())
			}
			err := w.Row(export.Text(line.Account.Name), export.Text(string(line.Account.Type)), export.Text(line.Currency),
				debit, credit)
			if err != nil {
				return err
			}
		}
		for _, currency := range unionOfAmounts(balance.Debits, balance.Credits) {
			err := w.Row(export.Text("Total"), export.Text(""), export.Text(currency),
				export.Number(balance.Debits[currency]), export.Number(balance.Credits[currency]))
			if err != nil {
				return err
			}
		}
		return writeConversionRows(w, balance.Conversion)
	})
}

// balanceSheetCSV answers GET /reports/balance-sheet.csv.
func (s *Server) balanceSheetCSV(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportAsOf, "")
	if err != nil {
		return err
	}
	sheet, err := projections.BuildBalanceSheet(c.UserContext(), s.pool, bookOf(c), report.asOf,
		report.fiscalStartMonth, report.options)
	if err != nil {
		return err
	}
	return csvDownload(c, "balance-sheet-"+report.asOf.String(), func(w *export.CSV) error {
		if err := w.Headings("Section", "Account", "Type", "Currency", "Amount"); err != nil {
			return err
		}
		sections := []struct {
			name    string
			section projections.Section
		}{{"Assets", sheet.Assets}, {"Liabilities", sheet.Liabilities}, {"Equity", sheet.Equity}}
		for _, one := range sections {
			for _, line := range one.section.Lines {
				err := w.Row(export.Text(one.name), export.Text(line.Account.Name), export.Text(string(line.Account.Type)),
					export.Text(line.Currency), export.Number(line.Amount))
				if err != nil {
					return err
				}
			}
			for _, currency := range one.section.Totals.Currencies() {
				err := w.Row(export.Text(one.name), export.Text("Total "+one.name), export.Text(""), export.Text(currency),
					export.Number(one.section.Totals[currency]))
				if err != nil {
					return err
				}
			}
		}
		return writeConversionRows(w, sheet.Conversion)
	})
}

// incomeStatementCSV answers GET /reports/income-statement.csv.
func (s *Server) incomeStatementCSV(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	statement, err := projections.BuildIncomeStatement(c.UserContext(), s.pool, bookOf(c), report.period, report.options)
	if err != nil {
		return err
	}
	return csvDownload(c, "income-statement-"+report.period.From.String()+"-to-"+report.period.To.String(),
		func(w *export.CSV) error {
			headings := []string{"Section", "Account", "Currency"}
			for _, month := range statement.Months {
				headings = append(headings, monthLabel(month))
			}
			if err := w.Headings(append(headings, "Total", "Previous period", "Change")...); err != nil {
				return err
			}
			sections := []struct {
				name  string
				lines []projections.IncomeLine
			}{{"Income", statement.Income}, {"Income", statement.TotalIncome}, {"Expenses", statement.Expenses},
				{"Expenses", statement.TotalExpense}, {"Net income", statement.NetIncome}}
			for _, one := range sections {
				for _, line := range one.lines {
					name := line.Account.Name
					if line.Account.ID == uuid.Nil {
						name = "Total " + one.name
					}
					cells := []export.Cell{export.Text(one.name), export.Text(name), export.Text(line.Currency)}
					for _, amount := range line.Months {
						cells = append(cells, export.Number(amount))
					}
					cells = append(cells, export.Number(line.Total), export.Number(line.Previous), export.Number(line.Change()))
					if err := w.Row(cells...); err != nil {
						return err
					}
				}
			}
			return writeConversionRows(w, statement.Conversion)
		})
}

// cashFlowCSV answers GET /reports/cash-flow.csv.
func (s *Server) cashFlowCSV(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	flow, err := projections.BuildCashFlow(c.UserContext(), s.pool, bookOf(c), report.period, report.options)
	if err != nil {
		return err
	}
	return csvDownload(c, "cash-flow-"+report.period.From.String()+"-to-"+report.period.To.String(),
		func(w *export.CSV) error {
			if err := w.Headings("Currency", "From", "To", "Money in", "Money out", "Net", "Change in net worth"); err != nil {
				return err
			}
			for _, series := range flow.Series {
				for _, month := range append(series.Months, series.Total) {
					err := w.Row(export.Text(series.Currency), export.Date(month.Month.From), export.Date(month.Month.To),
						export.Number(month.Income), export.Number(month.Expenses), export.Number(month.Net),
						export.Number(month.NetWorthChange))
					if err != nil {
						return err
					}
				}
			}
			return writeConversionRows(w, flow.Conversion)
		})
}

// breakdownByAccountCSV answers GET /reports/by-account.csv.
func (s *Server) breakdownByAccountCSV(c *fiber.Ctx) error { return s.breakdownCSV(c, false) }

// breakdownByPayeeCSV answers GET /reports/by-payee.csv.
func (s *Server) breakdownByPayeeCSV(c *fiber.Ctx) error { return s.breakdownCSV(c, true) }

func (s *Server) breakdownCSV(c *fiber.Ctx, byPayee bool) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetThisMonth)
	if err != nil {
		return err
	}
	breakdown, err := projections.BuildBreakdown(c.UserContext(), s.pool, bookOf(c), report.period, byPayee, report.options)
	if err != nil {
		return err
	}
	name, column := "by-account-", "Account"
	if byPayee {
		name, column = "by-payee-", "Payee"
	}
	return csvDownload(c, name+report.period.From.String()+"-to-"+report.period.To.String(), func(w *export.CSV) error {
		if err := w.Headings("Section", column, "Currency", "Amount", "Percent"); err != nil {
			return err
		}
		for _, section := range []struct {
			name  string
			lines []projections.BreakdownLine
		}{{"Expenses", breakdown.Expenses}, {"Income", breakdown.Income}} {
			for _, line := range section.lines {
				err := w.Row(export.Text(section.name), export.Text(breakdownName(line)), export.Text(line.Currency),
					export.Number(line.Amount), export.Number(line.Percent))
				if err != nil {
					return err
				}
			}
		}
		return writeConversionRows(w, breakdown.Conversion)
	})
}

// generalLedgerCSV answers GET /reports/general-ledger.csv with every
// posting of the account in the period.
func (s *Server) generalLedgerCSV(c *fiber.Ctx) error {
	report, err := s.parseReportQuery(c, reportOverPeriod, projections.PresetYearToDate)
	if err != nil {
		return err
	}
	accountID, err := uuid.Parse(c.Query("account"))
	if err != nil {
		return domain.NotFound("there is no such account")
	}
	var pages []projections.GeneralLedger
	var after *projections.LedgerCursor
	for len(pages) < csvLedgerPagesMax {
		page, err := projections.BuildGeneralLedger(c.UserContext(), s.pool, bookOf(c), accountID, report.period,
			projections.PageSizeMax, after)
		if err != nil {
			return err
		}
		pages = append(pages, page)
		if after = page.Next; after == nil {
			break
		}
	}
	if after != nil {
		return domain.Invalid("to", "this account has too many postings in the period for one file: choose a shorter period")
	}
	return csvDownload(c, "general-ledger-"+report.period.From.String()+"-to-"+report.period.To.String(),
		func(w *export.CSV) error {
			if err := w.Headings("Date", "Description", "Payee", "Currency", "Amount", "Balance"); err != nil {
				return err
			}
			for _, currency := range pages[0].Opening.Currencies() {
				err := w.Row(export.Date(report.period.From), export.Text("Opening balance"), export.Text(""),
					export.Text(currency), export.Text(""), export.Number(pages[0].Opening[currency]))
				if err != nil {
					return err
				}
			}
			for _, page := range pages {
				for _, line := range page.Lines {
					err := w.Row(export.Date(line.Date), export.Text(line.Description), export.Text(line.Payee),
						export.Text(line.Currency), export.Number(line.Amount), export.Number(line.Balance))
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
}
