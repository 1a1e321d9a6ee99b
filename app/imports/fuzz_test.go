package imports_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"folio/app/imports"
	"folio/domain"
)

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkParse is what every parser promises: no panic, and an error is either a
// ParseError (naming the line where one is to blame) or a domain error about the mapping.
func checkParse(t *testing.T, data []byte, options imports.Options) {
	statement, err := imports.Parse(bytes.NewReader(data), options)
	if err != nil {
		var parseErr *imports.ParseError
		var domainErr *domain.Error
		if !errors.As(err, &parseErr) && !errors.As(err, &domainErr) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if parseErr != nil && (parseErr.Line < 0 || parseErr.Message == "") {
			t.Fatalf("error without a place or message: %+v", parseErr)
		}
		return
	}
	for _, line := range statement.Lines {
		if line.Number < 1 || line.Date.IsZero() {
			t.Fatalf("line without a number or date: %+v", line)
		}
		if err := domain.CheckAmount("amount", line.Amount); err != nil {
			t.Fatalf("line %d: %v", line.Number, err)
		}
	}
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "de_sparkasse.csv", "us_chase.csv", "nl_ing.csv", "uk_debit_credit.csv", "no_header.tsv")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, imports.Options{Format: imports.FormatCSV})
	})
}

func FuzzGuessCSV(f *testing.F) {
	addSeeds(f, "de_sparkasse.csv", "us_chase.csv", "nl_ing.csv", "uk_debit_credit.csv", "no_header.tsv")
	f.Fuzz(func(t *testing.T, data []byte) {
		guess := imports.GuessCSV(data)
		if len(guess.Rows) > 0 && len(guess.Rows[0]) != len(guess.Header) {
			t.Fatalf("preview rows and header differ in width")
		}
	})
}

func FuzzWiseCSV(f *testing.F) {
	addSeeds(f, "wise_statement.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, imports.Options{Format: imports.FormatWiseCSV})
	})
}

func FuzzOFX(f *testing.F) {
	addSeeds(f, "bank_ofx1.ofx", "card_ofx2.qfx")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, imports.Options{Format: imports.FormatOFX})
	})
}

func FuzzCAMT(f *testing.F) {
	addSeeds(f, "camt053_v02.xml", "camt053_v08.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, imports.Options{Format: imports.FormatCAMT053})
	})
}

func FuzzDetect(f *testing.F) {
	addSeeds(f, "de_sparkasse.csv", "wise_statement.csv", "bank_ofx1.ofx", "camt053_v08.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, imports.Options{})
	})
}
