package web

import (
	"html/template"
	"time"

	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
)

// reportMoney is an amount as a report cell shows it. A zero amount is
// blank unless the cell is a total.
type reportMoney struct {
	Text     string
	Currency string
	Negative bool
}

func reportMoneyOf(amount decimal.Decimal, currency string) reportMoney {
	return reportMoney{Text: domain.FormatAmount(amount), Currency: currency, Negative: amount.IsNegative()}
}

// reportCell is reportMoneyOf, blank for zero.
func reportCell(amount decimal.Decimal, currency string) reportMoney {
	if amount.IsZero() {
		return reportMoney{Currency: currency}
	}
	return reportMoneyOf(amount, currency)
}

// reportPresetLabels name the period presets in the picker.
var reportPresetLabels = map[string]string{
	projections.PresetThisMonth:   "This month",
	projections.PresetLastMonth:   "Last month",
	projections.PresetThisQuarter: "This quarter",
	projections.PresetYearToDate:  "Year to date",
	projections.PresetLastYear:    "Last year",
	projections.PresetCustom:      "Custom",
}

// reportOption is one choice of a select.
type reportOption struct {
	Value    string
	Label    string
	Selected bool
}

// reportFilterView is the filter form above a report and the links that
// keep its filter: the CSV download and the printable page.
type reportFilterView struct {
	Action    string
	AsOfKind  bool // as of a date, not over a period
	AsOf      string
	Presets   []reportOption
	From, To  string
	Custom    bool
	Tag       string
	Convert   bool
	Base      string
	CSV       string
	Accounts  []reportOption // the general ledger's account choice
	Heading   string         // the report's period or date, as the title shows it
	Generated string
}

func (r reportContext) filterView(kind reportKind, action string) reportFilterView {
	view := reportFilterView{Action: action, AsOfKind: kind == reportAsOf, AsOf: r.asOf.String(),
		From: r.period.From.String(), To: r.period.To.String(), Custom: r.preset == projections.PresetCustom,
		Tag: r.options.Tag, Convert: r.options.ConvertTo != "", Base: r.base,
		CSV: action + ".csv?" + r.queryString(kind, nil), Generated: r.today.String()}
	for _, preset := range projections.Presets {
		view.Presets = append(view.Presets, reportOption{Value: preset, Label: reportPresetLabels[preset],
			Selected: preset == r.preset})
	}
	if kind == reportAsOf {
		view.Heading = "As of " + longDate(r.asOf)
	} else {
		view.Heading = periodLabel(r.period)
	}
	if r.options.Tag != "" {
		view.Heading += ", tagged " + r.options.Tag
	}
	if r.options.ConvertTo != "" {
		view.Heading += ", in " + r.options.ConvertTo
	}
	return view
}

func longDate(date domain.Date) string { return date.Time().Format("2 January 2006") }

func periodLabel(period projections.Period) string {
	return longDate(period.From) + " to " + longDate(period.To)
}

// monthLabel names a month column: "Mar 2026", or "15–31 Mar 2026" for the
// part of a month a period cuts.
func monthLabel(month projections.Period) string {
	from, to := month.From.Time(), month.To.Time()
	whole := from.Day() == 1 && to.AddDate(0, 0, 1).Day() == 1
	if whole {
		return from.Format("Jan 2006")
	}
	return from.Format("2") + "–" + to.Format("2 Jan 2006")
}

// shortMonth labels a chart's x axis.
func shortMonth(date domain.Date) string {
	t := date.Time()
	if t.Month() == time.January {
		return t.Format("Jan 06")
	}
	return t.Format("Jan")
}

// reportRateView is one exchange rate a converted report used or missed.
type reportRateView struct {
	Currency string
	AsOf     string
	PerUnit  string
	Date     string
	Source   string
}

// reportConversionView is the note under a converted report.
type reportConversionView struct {
	Base    string
	Used    []reportRateView
	Missing []reportRateView
}

func conversionView(conversion *projections.Conversion) *reportConversionView {
	if conversion == nil {
		return nil
	}
	view := &reportConversionView{Base: conversion.Base}
	for _, rate := range conversion.Used {
		source := "conversion in a transaction"
		if rate.Entered {
			source = "rate entered"
		}
		if rate.Inverted {
			source += ", inverse of " + rate.Price.String() + " " + rate.Currency + " per " + rate.Base
		}
		view.Used = append(view.Used, reportRateView{Currency: rate.Currency, AsOf: rate.AsOf.String(),
			PerUnit: rate.PerUnit().String(), Date: rate.Date.String(), Source: source})
	}
	for _, rate := range conversion.Missing {
		view.Missing = append(view.Missing, reportRateView{Currency: rate.Currency, AsOf: rate.AsOf.String()})
	}
	return view
}

// reportTypeLabels name the account types in report headings.
var reportTypeLabels = map[domain.AccountType]string{
	domain.Asset:     "Asset",
	domain.Liability: "Liability",
	domain.Equity:    "Equity",
	domain.Income:    "Income",
	domain.Expense:   "Expense",
}

func reportTypeLabel(accountType domain.AccountType) string { return reportTypeLabels[accountType] }

// reportChart is a drawn chart with the currency it is in.
type reportChart struct {
	Title string
	SVG   template.HTML
}
