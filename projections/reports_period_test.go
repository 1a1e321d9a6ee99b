package projections_test

import (
	"testing"

	"folio/domain"
	"folio/projections"
)

func TestPresetPeriodsFollowTheFiscalYear(t *testing.T) {
	tests := []struct {
		preset     string
		today      string
		startMonth int
		from, to   string
	}{
		{projections.PresetThisMonth, "2026-02-14", 1, "2026-02-01", "2026-02-28"},
		{projections.PresetLastMonth, "2026-01-31", 1, "2025-12-01", "2025-12-31"},
		{projections.PresetThisQuarter, "2026-05-20", 1, "2026-04-01", "2026-06-30"},
		{projections.PresetThisQuarter, "2026-05-20", 4, "2026-04-01", "2026-06-30"},
		{projections.PresetThisQuarter, "2026-05-20", 2, "2026-05-01", "2026-07-31"},
		{projections.PresetThisQuarter, "2026-01-10", 11, "2025-11-01", "2026-01-31"},
		{projections.PresetYearToDate, "2026-05-20", 1, "2026-01-01", "2026-05-20"},
		{projections.PresetYearToDate, "2026-03-20", 4, "2025-04-01", "2026-03-20"},
		{projections.PresetLastYear, "2026-05-20", 1, "2025-01-01", "2025-12-31"},
		{projections.PresetLastYear, "2026-05-20", 7, "2024-07-01", "2025-06-30"},
	}
	for _, test := range tests {
		got, ok := projections.PresetPeriod(test.preset, domain.MustDate(test.today), test.startMonth)
		want := projections.Period{From: domain.MustDate(test.from), To: domain.MustDate(test.to)}
		if !ok || got != want {
			t.Errorf("%s on %s, year from month %d: got %s..%s, want %s..%s", test.preset, test.today,
				test.startMonth, got.From, got.To, want.From, want.To)
		}
	}
	if _, ok := projections.PresetPeriod(projections.PresetCustom, domain.MustDate("2026-01-01"), 1); ok {
		t.Error("custom has no period of its own")
	}
}

func TestPreviousPeriodHasTheSameLength(t *testing.T) {
	tests := []struct{ from, to, wantFrom, wantTo string }{
		{"2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"},
		{"2026-01-01", "2026-03-31", "2025-10-01", "2025-12-31"},
		{"2025-04-01", "2026-03-31", "2024-04-01", "2025-03-31"},
		{"2026-03-10", "2026-03-19", "2026-02-28", "2026-03-09"},
		{"2026-01-01", "2026-05-20", "2025-08-14", "2025-12-31"},
	}
	for _, test := range tests {
		period := projections.Period{From: domain.MustDate(test.from), To: domain.MustDate(test.to)}
		got := period.Previous()
		if got.From.String() != test.wantFrom || got.To.String() != test.wantTo {
			t.Errorf("before %s..%s: got %s..%s, want %s..%s", test.from, test.to, got.From, got.To,
				test.wantFrom, test.wantTo)
		}
	}
}

func TestMonthsAreClippedToThePeriod(t *testing.T) {
	period := projections.Period{From: domain.MustDate("2026-01-15"), To: domain.MustDate("2026-03-10")}
	months := period.Months()
	want := []string{"2026-01-15..2026-01-31", "2026-02-01..2026-02-28", "2026-03-01..2026-03-10"}
	if len(months) != len(want) {
		t.Fatalf("got %d months, want %d", len(months), len(want))
	}
	for i, month := range months {
		if got := month.From.String() + ".." + month.To.String(); got != want[i] {
			t.Errorf("month %d: got %s, want %s", i, got, want[i])
		}
	}
}
