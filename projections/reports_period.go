package projections

import (
	"time"

	"folio/domain"
)

// Period is an inclusive range of accounting dates. A zero From means from
// the first transaction on.
type Period struct {
	From, To domain.Date
}

// firstDate stands for "the beginning" in queries: no accounting date is
// earlier (domain.ParseDate refuses years before 1900).
var firstDate = domain.MustDate("1900-01-01")

// start returns From, or the first possible date for an open start.
func (p Period) start() domain.Date {
	if p.From.IsZero() {
		return firstDate
	}
	return p.From
}

// Months returns the calendar months the period touches, each clipped to the
// period: the columns of a report by month.
func (p Period) Months() []Period {
	var months []Period
	for month := p.start().FirstOfMonth(); !month.After(p.To); month = addMonths(month, 1) {
		column := Period{From: month, To: addMonths(month, 1).AddDays(-1)}
		if column.From.Before(p.start()) {
			column.From = p.start()
		}
		if column.To.After(p.To) {
			column.To = p.To
		}
		months = append(months, column)
	}
	return months
}

// WholeMonths reports whether the period starts on a first and ends on a
// last day of a month.
func (p Period) WholeMonths() bool {
	return !p.From.IsZero() && p.From == p.From.FirstOfMonth() && p.To.AddDays(1) == p.To.AddDays(1).FirstOfMonth()
}

// Previous returns the period of the same length just before p: as many
// whole months when p is whole months, otherwise as many days.
func (p Period) Previous() Period {
	if p.WholeMonths() {
		months := monthsBetween(p.From, p.To.AddDays(1))
		return Period{From: addMonths(p.From, -months), To: p.From.AddDays(-1)}
	}
	days := int(p.To.Time().Sub(p.start().Time()).Hours()/24) + 1
	return Period{From: p.From.AddDays(-days), To: p.From.AddDays(-1)}
}

func addMonths(date domain.Date, months int) domain.Date {
	t := date.Time()
	return domain.DateOf(time.Date(t.Year(), t.Month()+time.Month(months), t.Day(), 0, 0, 0, 0, time.UTC))
}

func monthsBetween(from, to domain.Date) int {
	a, b := from.Time(), to.Time()
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// FiscalYearStart returns the first day of the fiscal year that holds date,
// for a fiscal year that starts on the first of startMonth (1 = January).
func FiscalYearStart(date domain.Date, startMonth int) domain.Date {
	if startMonth < 1 || startMonth > 12 {
		startMonth = 1
	}
	t := date.Time()
	year := t.Year()
	if int(t.Month()) < startMonth {
		year--
	}
	return domain.DateOf(time.Date(year, time.Month(startMonth), 1, 0, 0, 0, 0, time.UTC))
}

// Period presets of the period picker.
const (
	PresetThisMonth   = "this-month"
	PresetLastMonth   = "last-month"
	PresetThisQuarter = "this-quarter"
	PresetYearToDate  = "year-to-date"
	PresetLastYear    = "last-year"
	PresetCustom      = "custom"
)

// Presets lists the period presets in the order the picker shows them.
var Presets = []string{PresetThisMonth, PresetLastMonth, PresetThisQuarter, PresetYearToDate,
	PresetLastYear, PresetCustom}

// PresetPeriod returns the period a preset names on the day today, with
// quarters and years counted from the fiscal year's first month. It
// returns false for PresetCustom and unknown names.
func PresetPeriod(preset string, today domain.Date, fiscalStartMonth int) (Period, bool) {
	month := today.FirstOfMonth()
	yearStart := FiscalYearStart(today, fiscalStartMonth)
	switch preset {
	case PresetThisMonth:
		return Period{From: month, To: addMonths(month, 1).AddDays(-1)}, true
	case PresetLastMonth:
		return Period{From: addMonths(month, -1), To: month.AddDays(-1)}, true
	case PresetThisQuarter:
		quarterStart := addMonths(yearStart, monthsBetween(yearStart, month)/3*3)
		return Period{From: quarterStart, To: addMonths(quarterStart, 3).AddDays(-1)}, true
	case PresetYearToDate:
		return Period{From: yearStart, To: today}, true
	case PresetLastYear:
		return Period{From: addMonths(yearStart, -12), To: yearStart.AddDays(-1)}, true
	}
	return Period{}, false
}
