package projections_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// priceBooks has a USD account, a CHF account and a EUR bank, one conversion
// of USD into EUR on 2026-01-10 at 0.90, entered rates for USD, and an
// entered rate of EUR in CHF (the inverse of what converting CHF needs).
type priceBooks struct {
	userID, bank, dollars, francs, food uuid.UUID
	store                               *eventstore.Store
	version                             int64
	removable                           uuid.UUID
}

func newPriceBooks(t *testing.T) *priceBooks {
	t.Helper()
	b := &priceBooks{userID: uuid.New(), bank: uuid.New(), dollars: uuid.New(), francs: uuid.New(), food: uuid.New(),
		store: eventstore.New(pgtest.NewPool(t), eventstore.WithProjector(projections.Projector{})), removable: uuid.New()}
	d := decimal.RequireFromString
	b.append(t,
		domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: b.bank, Name: "Bank", Type: domain.Asset, Currency: "EUR"},
		domain.AccountOpened{AccountID: b.dollars, Name: "Dollars", Type: domain.Asset, Currency: "USD"},
		domain.AccountOpened{AccountID: b.francs, Name: "Francs", Type: domain.Asset, Currency: "CHF"},
		domain.AccountOpened{AccountID: b.food, Name: "Food", Type: domain.Expense},
		domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{Date: domain.MustDate("2026-01-05"),
			Description: "Dinner", Postings: []domain.Posting{
				{AccountID: b.food, Amount: d("100"), Currency: "USD"},
				{AccountID: b.dollars, Amount: d("-100"), Currency: "USD"}}}},
		domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{Date: domain.MustDate("2026-01-10"),
			Description: "Exchange", Postings: []domain.Posting{
				{AccountID: b.dollars, Amount: d("-50"), Currency: "USD", Price: &domain.Price{Amount: d("0.90"), Currency: "EUR"}},
				{AccountID: b.bank, Amount: d("45"), Currency: "EUR"}}}},
		domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{Date: domain.MustDate("2026-02-03"),
			Description: "Fondue", Postings: []domain.Posting{
				{AccountID: b.food, Amount: d("30"), Currency: "CHF"},
				{AccountID: b.francs, Amount: d("-30"), Currency: "CHF"}}}},
		domain.PriceRecorded{PriceID: uuid.New(), Date: domain.MustDate("2026-02-01"), Commodity: "USD",
			Amount: d("0.80"), Currency: "EUR"},
		// Same date, recorded later: this one wins.
		domain.PriceRecorded{PriceID: uuid.New(), Date: domain.MustDate("2026-02-01"), Commodity: "USD",
			Amount: d("0.85"), Currency: "EUR"},
		domain.PriceRecorded{PriceID: b.removable, Date: domain.MustDate("2026-02-20"), Commodity: "USD",
			Amount: d("2"), Currency: "EUR"},
		domain.PriceRecorded{PriceID: uuid.New(), Date: domain.MustDate("2026-02-15"), Commodity: "EUR",
			Amount: d("0.95"), Currency: "CHF"},
	)
	return b
}

func (b *priceBooks) append(t *testing.T, events ...domain.Event) {
	t.Helper()
	result, err := b.store.Append(context.Background(), eventstore.AppendRequest{UserID: b.userID,
		ExpectedVersion: b.version, CommandID: uuid.New(), Events: events})
	if err != nil {
		t.Fatal(err)
	}
	b.version = result.LastVersion
}

func TestLatestRateOnOrBeforeTheDate(t *testing.T) {
	b := newPriceBooks(t)
	b.append(t, domain.PriceRemoved{PriceID: b.removable})
	ctx := context.Background()
	dates := []domain.Date{domain.MustDate("2026-01-09"), domain.MustDate("2026-01-31"),
		domain.MustDate("2026-02-01"), domain.MustDate("2026-02-28")}
	rates, err := projections.LatestRates(ctx, b.store.Pool(), b.userID, "EUR", []string{"USD", "CHF"}, dates)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rate := range rates {
		text := "none"
		if rate.Found {
			text = rate.PerUnit().String() + " from " + rate.Date.String()
		}
		got[rate.Currency+" "+rate.AsOf.String()] = text
	}
	want := map[string]string{
		"USD 2026-01-09": "none",
		"USD 2026-01-31": "0.9 from 2026-01-10",
		"USD 2026-02-01": "0.85 from 2026-02-01",
		"USD 2026-02-28": "0.85 from 2026-02-01",
		"CHF 2026-01-09": "none",
		"CHF 2026-01-31": "none",
		"CHF 2026-02-01": "none",
		"CHF 2026-02-28": "1.05263158 from 2026-02-15",
	}
	for key, text := range want {
		if got[key] != text {
			t.Errorf("%s: got %q, want %q", key, got[key], text)
		}
	}
}

func TestConvertedReportsShowRatesAndNeverHideAMissingOne(t *testing.T) {
	b := newPriceBooks(t)
	b.append(t, domain.PriceRemoved{PriceID: b.removable})
	ctx := context.Background()
	options := projections.ReportOptions{ConvertTo: "EUR"}

	early, err := projections.BuildTrialBalance(ctx, b.store.Pool(), b.userID, domain.MustDate("2026-01-09"), options)
	if err != nil {
		t.Fatal(err)
	}
	if early.Conversion.Complete() || len(early.Conversion.Missing) != 1 || early.Conversion.Missing[0].Currency != "USD" {
		t.Fatalf("missing rates: got %+v, want USD", early.Conversion.Missing)
	}
	for _, line := range early.Lines {
		if line.Currency != "USD" {
			t.Errorf("without a rate, %s must stay in USD, got %s %s", line.Account.Name, line.Amount, line.Currency)
		}
	}

	sheet, err := projections.BuildBalanceSheet(ctx, b.store.Pool(), b.userID, domain.MustDate("2026-02-28"), 1, options)
	if err != nil {
		t.Fatal(err)
	}
	if !sheet.Conversion.Complete() {
		t.Fatalf("rates missing on 2026-02-28: %+v", sheet.Conversion.Missing)
	}
	// Dollars: -150 USD at 0.85 is -127.50; francs: -30 CHF at 1/0.95 is -31.58.
	want := map[string]string{"Bank": "45", "Dollars": "-127.5", "Francs": "-31.58"}
	for _, line := range sheet.Assets.Lines {
		if line.Currency != "EUR" || line.Amount.String() != want[line.Account.Name] {
			t.Errorf("%s: got %s %s, want %s EUR", line.Account.Name, line.Amount, line.Currency, want[line.Account.Name])
		}
	}
	if !sheet.Assets.Totals["EUR"].Equal(sheet.LiabilitiesAndEquity()["EUR"]) {
		t.Errorf("converted sheet does not balance: %v", sheet.Assets.Totals)
	}
	if len(sheet.Conversion.Used) != 2 {
		t.Errorf("rates used: got %+v, want USD and CHF", sheet.Conversion.Used)
	}

	statement, err := projections.BuildIncomeStatement(ctx, b.store.Pool(), b.userID,
		projections.Period{From: domain.MustDate("2026-01-01"), To: domain.MustDate("2026-02-28")}, options)
	if err != nil {
		t.Fatal(err)
	}
	// January's 100 USD at January's last rate (0.90), February's 30 CHF at 1/0.95.
	food := statement.Expenses[0]
	if food.Currency != "EUR" || food.Months[0].String() != "90" || food.Months[1].String() != "31.58" ||
		food.Total.String() != "121.58" {
		t.Errorf("food: got %s %v total %s", food.Currency, food.Months, food.Total)
	}
}

func TestNetWorthNeedsNoRateForAZeroBalance(t *testing.T) {
	b := newPriceBooks(t)
	b.append(t, domain.PriceRemoved{PriceID: b.removable})
	worth, err := projections.BuildNetWorth(context.Background(), b.store.Pool(), b.userID, domain.MustDate("2026-02-28"), 3,
		projections.ReportOptions{ConvertTo: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if worth.Conversion == nil || len(worth.Conversion.Used) != 3 {
		t.Fatalf("rates used: got %+v, want USD on two dates and CHF on one", worth.Conversion)
	}
	if len(worth.Series) != 1 || worth.Series[0].Currency != "EUR" || !worth.Conversion.Complete() {
		t.Fatalf("got %d series, missing rates %+v; want one series in EUR", len(worth.Series), worth.Conversion.Missing)
	}
	// Dollars -150 at 0.90 on 31 January, at 0.85 on 28 February, when the
	// francs are -30 at 1/0.95. The bank holds 45 from 10 January.
	want := []string{"0", "-90", "-114.08"}
	for i, point := range worth.Series[0].Points {
		if point.Net().String() != want[i] {
			t.Errorf("%s: got %s, want %s", point.Date, point.Net(), want[i])
		}
	}
}
