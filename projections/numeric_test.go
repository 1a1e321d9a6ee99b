package projections

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestNumericDropsTrailingFractionalZeros(t *testing.T) {
	cases := []struct {
		in       string
		coef     int64
		exponent int32
	}{
		{"20.00", 20, 0},
		{"1.24004900", 1240049, -6},
		{"-35.50", -355, -1},
		{"100", 100, 0},
		{"0.000", 0, 0},
		{"0.01", 1, -2},
	}
	for _, c := range cases {
		got := numeric(decimal.RequireFromString(c.in))
		if !got.Valid || got.Int.Int64() != c.coef || got.Exp != c.exponent {
			t.Errorf("numeric(%s) = %se%d, want %de%d", c.in, got.Int, got.Exp, c.coef, c.exponent)
		}
	}
	huge := decimal.RequireFromString("123456789012345678901234567890.1000")
	if got := numeric(huge); got.Int.String() != "1234567890123456789012345678901000" || got.Exp != -4 {
		t.Errorf("a coefficient beyond int64 is kept exact: got %se%d", got.Int, got.Exp)
	}
}
