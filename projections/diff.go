package projections

import (
	"fmt"
	"reflect"
)

// Diff compares what the tables hold (got) with what a fresh fold derives
// (want) and describes the first row that differs, or returns "".
func Diff(want, got Model) string {
	checks := []struct {
		table     string
		want, got any
	}{
		{"accounts", want.Accounts, got.Accounts},
		{"account_balances", want.Balances, got.Balances},
		{"journal", want.Journal, got.Journal},
		{"journal_postings", want.Postings, got.Postings},
		{"monthly_totals", want.Monthly, got.Monthly},
	}
	for _, check := range checks {
		if message := diffRows(check.table, reflect.ValueOf(check.want), reflect.ValueOf(check.got)); message != "" {
			return message
		}
	}
	return ""
}

func diffRows(table string, want, got reflect.Value) string {
	for i := 0; i < want.Len() || i < got.Len(); i++ {
		switch {
		case i >= got.Len():
			return fmt.Sprintf("%s: missing row %+v", table, want.Index(i).Interface())
		case i >= want.Len():
			return fmt.Sprintf("%s: unexpected row %+v", table, got.Index(i).Interface())
		case !rowsEqual(want.Index(i), got.Index(i)):
			return fmt.Sprintf("%s: row is %+v, a fresh fold gives %+v", table, got.Index(i).Interface(), want.Index(i).Interface())
		}
	}
	return ""
}

// rowsEqual compares rows by their printed form, in which decimals read by
// value (1.50 and 1.5 both print 1.5) and prices and dates print as text.
func rowsEqual(a, b reflect.Value) bool {
	return fmt.Sprintf("%+v", a.Interface()) == fmt.Sprintf("%+v", b.Interface())
}
