package domain_test

import (
	"strings"
	"testing"

	"folio/domain"
)

func TestParseAmount(t *testing.T) {
	valid := map[string]string{"12.50": "12.5", "-0.01": "-0.01", "+7": "7", " 3 ": "3", "123456789012345.12345678": "123456789012345.12345678"}
	for text, want := range valid {
		got, err := domain.ParseAmount("amount", text)
		if err != nil || got.String() != want {
			t.Errorf("ParseAmount(%q) = %s, %v; want %s", text, got, err, want)
		}
	}
	invalid := []string{"", "1,2,3", "NaN", "Inf", "1e309", "1e3", "12,50", "0x10", "1.2.3", "--1", strings.Repeat("9", 40), "1.123456789", "€12"}
	for _, text := range invalid {
		if got, err := domain.ParseAmount("amount", text); err == nil {
			t.Errorf("ParseAmount(%q) = %s, want an error", text, got)
		} else if domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("ParseAmount(%q): got code %q, want invalid", text, domain.ErrorCode(err))
		}
	}
}

func TestParseDate(t *testing.T) {
	if _, err := domain.ParseDate("date", "2026-02-30"); err == nil {
		t.Error("accepted 2026-02-30")
	}
	if _, err := domain.ParseDate("date", "31.01.2026"); err == nil {
		t.Error("accepted 31.01.2026")
	}
	if got := domain.MustDate("2026-01-31").String(); got != "2026-01-31" {
		t.Errorf("got %s", got)
	}
}

func TestFormatAmountKeepsSignificantDecimals(t *testing.T) {
	for text, want := range map[string]string{"12.5": "12.50", "-3": "-3.00", "0.125": "0.125", "1.50000000": "1.50", "0": "0.00"} {
		amount, _ := domain.ParseAmount("amount", text)
		if got := domain.FormatAmount(amount); got != want {
			t.Errorf("FormatAmount(%s) = %s, want %s", text, got, want)
		}
	}
}
