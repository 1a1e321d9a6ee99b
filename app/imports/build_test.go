package imports_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/imports"
	"folio/domain"
)

type buildFixture struct {
	bank, wiseUSD, uncategorized, fees, groceries uuid.UUID
	accounts                                      map[uuid.UUID]*domain.Account
}

func newBuildFixture() *buildFixture {
	f := &buildFixture{bank: uuid.New(), wiseUSD: uuid.New(), uncategorized: uuid.New(), fees: uuid.New(),
		groceries: uuid.New()}
	f.accounts = map[uuid.UUID]*domain.Account{
		f.bank:          {ID: f.bank, Name: "Wise EUR", Type: domain.Asset, Currency: "EUR"},
		f.wiseUSD:       {ID: f.wiseUSD, Name: "Wise USD", Type: domain.Asset, Currency: "USD"},
		f.uncategorized: {ID: f.uncategorized, Name: "Uncategorized", Type: domain.Expense},
		f.fees:          {ID: f.fees, Name: "Bank Fees", Type: domain.Expense},
		f.groceries:     {ID: f.groceries, Name: "Groceries", Type: domain.Expense},
	}
	return f
}

func (f *buildFixture) target(t *testing.T, rules ...imports.Rule) imports.Target {
	t.Helper()
	compiled, err := imports.CompileRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	return imports.Target{Account: f.accounts[f.bank], Currency: "EUR", Uncategorized: f.uncategorized,
		Fees: f.fees, Rules: compiled, Lookup: func(id uuid.UUID) (*domain.Account, bool) {
			account, ok := f.accounts[id]
			return account, ok
		}}
}

// postings writes an entry's postings as "account amount currency [@ price]" for comparison.
func (f *buildFixture) postings(entry domain.Entry) string {
	var parts []string
	for _, posting := range entry.Postings {
		part := f.accounts[posting.AccountID].Name + " " + posting.Amount.String() + " " + posting.Currency
		if posting.Price != nil {
			part += " @ " + posting.Price.String()
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

func checkBalanced(t *testing.T, entry domain.Entry) {
	t.Helper()
	sums := map[string]decimal.Decimal{}
	for _, posting := range entry.Postings {
		weight, currency := posting.Weight()
		sums[currency] = sums[currency].Add(weight)
		if err := domain.CheckAmount("amount", posting.Amount); err != nil {
			t.Errorf("posting amount %s: %v", posting.Amount, err)
		}
	}
	for currency, sum := range sums {
		if !sum.IsZero() {
			t.Errorf("entry %q does not balance in %s: %s", entry.Description, currency, sum)
		}
	}
}

func TestBuildWiseStatement(t *testing.T) {
	f := newBuildFixture()
	statement := parseFile(t, "wise_statement.csv", imports.Options{})
	rules := []imports.Rule{
		{ID: uuid.New(), Field: imports.RuleFieldDescription, Match: imports.RuleContains, Pattern: "converted",
			AccountID: f.wiseUSD},
		{ID: uuid.New(), Field: imports.RuleFieldAny, Match: imports.RuleRegex, Pattern: `^shop\b`,
			AccountID: f.groceries},
	}
	built := imports.Build(statement, f.target(t, rules...))

	want := []string{
		"Wise EUR -200.6 EUR; Bank Fees 0.6 EUR; Uncategorized 200 EUR",
		"Wise EUR 250 EUR; Uncategorized -250 EUR",
		"Wise EUR -45.51 EUR; Bank Fees 0.19 EUR; Groceries 50 USD @ 0.9064 EUR",
		"Wise EUR -100 EUR; Bank Fees 0.45 EUR; Wise USD 108.2 USD @ 0.920055 EUR; Bank Fees 0.000049 EUR",
		"Wise EUR 200 EUR; Uncategorized -200 EUR",
	}
	if len(built.Lines) != len(want) {
		t.Fatalf("lines: got %d, want %d", len(built.Lines), len(want))
	}
	keys := map[string]bool{}
	for i, line := range built.Lines {
		if got := f.postings(line.Entry); got != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", line.Line, got, want[i])
		}
		checkBalanced(t, line.Entry)
		for _, key := range line.Keys {
			if keys[key] {
				t.Errorf("line %d repeats key %s", line.Line, key)
			}
			keys[key] = true
		}
	}
	if built.Rules[2] == nil || built.Rules[2].Pattern != `^shop\b` || built.Rules[0] != nil {
		t.Errorf("rules: got %v", built.Rules)
	}
	// The refund reuses the transfer's reference and gets a key of its own.
	if !strings.HasSuffix(built.Lines[0].Keys[0], "wise:TRANSFER-123456789:DEBIT:main") ||
		!strings.HasSuffix(built.Lines[4].Keys[0], "wise:TRANSFER-123456789:CREDIT:main") {
		t.Errorf("refund keys: %v and %v", built.Lines[0].Keys, built.Lines[4].Keys)
	}
	// The conversion also carries the key of its leg in the USD balance.
	if len(built.Lines[3].Keys) != 2 || built.Lines[3].Keys[1] != f.wiseUSD.String()+"|wise:BALANCE-423456789:CREDIT:main" {
		t.Errorf("conversion keys: %v", built.Lines[3].Keys)
	}
}

func TestFingerprintsNumberIdenticalLines(t *testing.T) {
	f := newBuildFixture()
	line := imports.Line{Number: 2, Date: domain.MustDate("2025-03-07"), Amount: decimal.RequireFromString("-12.50"),
		Description: "REWE  Sagt Danke"}
	same := line
	same.Number, same.Description = 3, "rewe sagt, danke"
	other := line
	other.Number, other.Amount = 4, decimal.RequireFromString("-12.51")
	statement := imports.Statement{Format: imports.FormatCSV, Lines: []imports.Line{line, same, other}}
	built := imports.Build(statement, f.target(t))
	first, second, third := built.Lines[0].Keys[0], built.Lines[1].Keys[0], built.Lines[2].Keys[0]
	if first == second || first == third || second == third {
		t.Fatalf("keys must differ: %s %s %s", first, second, third)
	}

	// The same first line in an overlapping file gets the same key.
	again := imports.Build(imports.Statement{Format: imports.FormatCSV, Lines: []imports.Line{line}}, f.target(t))
	if again.Lines[0].Keys[0] != first {
		t.Fatalf("overlapping file: got %s, want %s", again.Lines[0].Keys[0], first)
	}
}

func TestRules(t *testing.T) {
	account := uuid.New()
	tests := []struct {
		name               string
		rule               imports.Rule
		description, payee string
		want               bool
	}{
		{"ContainsIgnoresCase", imports.Rule{Field: "any", Match: "contains", Pattern: "rewe"}, "REWE Markt", "", true},
		{"PayeeOnly", imports.Rule{Field: "payee", Match: "contains", Pattern: "rewe"}, "REWE Markt", "Other", false},
		{"DescriptionOnly", imports.Rule{Field: "description", Match: "contains", Pattern: "rent"}, "Rent March", "", true},
		{"Regex", imports.Rule{Field: "any", Match: "regex", Pattern: `^amzn mktp \w+$`}, "AMZN Mktp DE", "", true},
		{"RegexAnchored", imports.Rule{Field: "any", Match: "regex", Pattern: `^mktp`}, "AMZN Mktp DE", "", false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			test.rule.AccountID = account
			rules, err := imports.CompileRules([]imports.Rule{test.rule})
			if err != nil {
				t.Fatal(err)
			}
			_, got := rules.Match(test.description, test.payee)
			if got != test.want {
				t.Fatalf("got %v, want %v", got, test.want)
			}
		})
	}

	first, second := uuid.New(), uuid.New()
	rules, _ := imports.CompileRules([]imports.Rule{
		{ID: first, Field: "any", Match: "contains", Pattern: "shop", AccountID: account},
		{ID: second, Field: "any", Match: "contains", Pattern: "shop", AccountID: account},
	})
	if rule, _ := rules.Match("Shop", ""); rule.ID != first {
		t.Errorf("first match must win")
	}
	if _, err := imports.CompileRules([]imports.Rule{{Field: "any", Match: "regex", Pattern: "(", AccountID: account}}); err == nil ||
		!strings.Contains(err.Error(), "rule 1") {
		t.Errorf("bad regex: got %v", err)
	}
}
