package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAPIRecordTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	checking, groceries := ada.accountID("Checking"), ada.accountID("Groceries")
	ada.object(http.MethodPost, "/api/v1/accounts",
		map[string]any{"name": "Card USD", "type": "liability", "currency": "USD"},
		http.StatusCreated)
	card := ada.accountID("Card USD")

	// Accounts by id and by name in any case; privileged fields are ignored.
	body := `{"date":"2026-01-31","description":" Weekly shop ","payee":"Market",
		"tags":["food","#home"],"id":"` + madeUpID + `","user_id":"` + madeUpID + `",
		"voided":true,"revision":7,
		"postings":[
			{"account":"groceries","amount":"21.60","currency":"eur"},
			{"account":"` + checking + `","amount":"-10.8","currency":"EUR"},
			{"account":"Card USD","amount":"-12","currency":"USD",
			 "price":{"amount":"0.9","currency":"EUR"}}]}`
	got := ada.call(http.MethodPost, "/api/v1/transactions", body)

	wantStatus(t, got, http.StatusCreated)
	var created map[string]any
	decode(t, got, &created)
	id, _ := created["id"].(string)
	want := map[string]any{
		"id": id, "date": "2026-01-31", "description": "Weekly shop", "payee": "Market",
		"tags": []any{"food", "home"}, "revision": float64(1), "voided": false,
		"postings": []any{
			map[string]any{"account_id": groceries, "account": "Groceries", "amount": "21.60",
				"currency": "EUR", "price": nil},
			map[string]any{"account_id": checking, "account": "Checking", "amount": "-10.80",
				"currency": "EUR", "price": nil},
			map[string]any{"account_id": card, "account": "Card USD", "amount": "-12.00",
				"currency": "USD", "price": map[string]any{"amount": "0.90", "currency": "EUR"}},
		},
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("recorded transaction (-want +got):\n%s", diff)
	}
	if id == madeUpID {
		t.Error("the client chose the transaction id")
	}

	read := ada.object(http.MethodGet, "/api/v1/transactions/"+id, nil, http.StatusOK)
	if diff := cmp.Diff(created, read); diff != "" {
		t.Errorf("GET after POST (-posted +read):\n%s", diff)
	}
	if tags := ada.object(http.MethodGet, "/api/v1/transactions/"+ada.record("2026-02-01",
		"No tags", "1"), nil, http.StatusOK)["tags"]; tags == nil {
		t.Error("tags of a transaction without any: got null, want []")
	}
}

func TestAPIRecordTransactionRejects(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	before := ada.events()

	postings := func(amount, price string) string {
		if price != "" {
			price = `,"price":{"amount":` + price + `,"currency":"USD"}`
		}
		return `{"date":"2026-01-31","description":"x","postings":[
			{"account":"Groceries","amount":` + amount + `,"currency":"EUR"` + price + `},
			{"account":"Checking","amount":"-12.50","currency":"EUR"}]}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		field  string // named in the message
	}{
		{"thousands separators", postings(`"1,2,3"`, ""), 422, "postings[0].amount"},
		{"NaN", postings(`"NaN"`, ""), 422, "postings[0].amount"},
		{"an exponent", postings(`"1e3"`, ""), 422, "postings[0].amount"},
		{"40 digits", postings(`"`+strings.Repeat("9", 40)+`"`, ""), 422, "postings[0].amount"},
		{"nine decimals", postings(`"12.500000001"`, ""), 422, "postings[0].amount"},
		{"a JSON number", postings(`12.50`, ""), 422, "postings[0].amount"},
		{"a JSON integer", postings(`12`, ""), 422, "postings[0].amount"},
		{"a JSON object", postings(`{"value":"12.50"}`, ""), 422, "postings[0].amount"},
		{"no amount", postings(`null`, ""), 422, "postings[0].amount"},
		{"a JSON number price", postings(`"12.50"`, `1.08`), 422, "postings[0].price.amount"},
		{"a malformed price", postings(`"12.50"`, `"1.0.8"`), 422, "postings[0].price.amount"},
		{"unbalanced", postings(`"12.49"`, ""), 422, "postings"},
		{"a bad date", strings.Replace(postings(`"12.50"`, ""), "2026-01-31", "2026-02-30", 1),
			422, "date"},
		{"no date", strings.Replace(postings(`"12.50"`, ""), "2026-01-31", "", 1), 422, "date"},
		{"an unknown account name", strings.Replace(postings(`"12.50"`, ""), `"Checking"`,
			`"Nowhere"`, 1), 422, "postings[1].account"},
		{"an unknown account id", strings.Replace(postings(`"12.50"`, ""), `"Checking"`,
			`"`+madeUpID+`"`, 1), 422, "postings[1].account"},
		{"no account", strings.Replace(postings(`"12.50"`, ""), `"Checking"`, `""`, 1), 422,
			"postings[1].account"},
		{"a bad command id", strings.Replace(postings(`"12.50"`, ""), `"x"`,
			`"x","command_id":"not-a-uuid"`, 1), 422, "command_id"},
		{"a date as a number", `{"date":20260131}`, 400, ""},
		{"malformed JSON", `{"date":`, 400, ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := ada.call(http.MethodPost, "/api/v1/transactions", test.body)

			code := map[int]string{422: "invalid", 400: "bad_json"}[test.status]
			wantAPIError(t, got, test.status, code)
			if test.field != "" {
				wantBodyContains(t, got, `"message":"`+test.field+`: `)
			}
		})
	}
	if after := ada.events(); after != before {
		t.Errorf("events: got %d, want %d (nothing stored)", after, before)
	}
	list := ada.object(http.MethodGet, "/api/v1/transactions", nil, http.StatusOK)
	if n := len(list["transactions"].([]any)); n != 0 {
		t.Errorf("transactions: got %d, want none", n)
	}
}

func TestAPITransactionRequestLimits(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	before := ada.events()

	wrongType := ts.client().do(withBearer(ada.token, http.MethodPost, "/api/v1/transactions",
		"text/plain", `{"date":"2026-01-31"}`))
	wantAPIError(t, wrongType, http.StatusUnsupportedMediaType, "unsupported_media_type")

	large := `{"description":"` + strings.Repeat("x", 300<<10) + `"}`
	wantAPIError(t, ada.call(http.MethodPost, "/api/v1/transactions", large),
		http.StatusRequestEntityTooLarge, "too_large")

	anonymous := ts.client().api(http.MethodPost, "/api/v1/transactions",
		map[string]string{"date": "2026-01-31"}, nil)
	wantAPIError(t, anonymous, http.StatusUnauthorized, "unauthorized")
	wantAPIError(t, ts.client().api(http.MethodGet, "/api/v1/transactions", nil, nil),
		http.StatusUnauthorized, "unauthorized")

	if after := ada.events(); after != before {
		t.Errorf("events: got %d, want %d (nothing stored)", after, before)
	}
}

func TestAPIRecordTransactionCommandID(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	commandID := "5f0d8a52-8a0b-4f47-b7a3-9d1f0c2e4a61"
	body := map[string]any{"date": "2026-01-31", "description": "Rent", "command_id": commandID,
		"postings": []map[string]any{
			{"account": "Rent", "amount": "800", "currency": "EUR"},
			{"account": "Checking", "amount": "-800", "currency": "EUR"}}}
	before := ada.events()

	first := ada.call(http.MethodPost, "/api/v1/transactions", body)
	again := ada.call(http.MethodPost, "/api/v1/transactions", body)

	wantStatus(t, first, http.StatusCreated)
	wantStatus(t, again, http.StatusCreated)
	if first.body != again.body {
		t.Errorf("a repeated command_id: got %s, want the first answer %s", again.body, first.body)
	}
	if first.header.Get("Idempotent-Replayed") != "" ||
		again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed: got %q then %q, want none then true",
			first.header.Get("Idempotent-Replayed"), again.header.Get("Idempotent-Replayed"))
	}
	if after := ada.events(); after != before+1 {
		t.Errorf("events: got %d, want %d (stored once)", after, before+1)
	}

	// A command id that opened an account cannot record a transaction.
	accountCommand := "1c9e2b7d-3f4a-4b8c-9d0e-5f6a7b8c9d0e"
	ada.object(http.MethodPost, "/api/v1/accounts", map[string]any{"name": "Broker",
		"type": "asset", "command_id": accountCommand}, http.StatusCreated)
	body["command_id"] = accountCommand
	wantAPIError(t, ada.call(http.MethodPost, "/api/v1/transactions", body),
		http.StatusConflict, "conflict")
	if after := ada.events(); after != before+2 {
		t.Errorf("events: got %d, want %d", after, before+2)
	}
}

func TestAPITransactionsList(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	var ids []string // oldest first
	for day := 1; day <= 7; day++ {
		ids = append(ids, ada.record(fmt.Sprintf("2026-03-%02d", day), fmt.Sprintf("Shop %d", day),
			fmt.Sprintf("%d.00", day)))
	}
	rent := ada.object(http.MethodPost, "/api/v1/transactions", map[string]any{
		"date": "2026-03-04", "description": "Rent", "payee": "Landlord 100%",
		"postings": []map[string]any{
			{"account": "Rent", "amount": "800", "currency": "EUR"},
			{"account": "Savings", "amount": "-800", "currency": "EUR"}}},
		http.StatusCreated)["id"].(string)

	tests := []struct {
		name  string
		query url.Values
		want  []string // newest first
	}{
		{"everything", nil, []string{ids[6], ids[5], ids[4], rent, ids[3], ids[2], ids[1], ids[0]}},
		{"a date range", url.Values{"from": {"2026-03-03"}, "to": {"2026-03-04"}},
			[]string{rent, ids[3], ids[2]}},
		{"an account by name", url.Values{"account": {"savings"}}, []string{rent}},
		{"an account by id", url.Values{"account": {ada.accountID("Rent")}}, []string{rent}},
		{"text", url.Values{"q": {"shop 5"}}, []string{ids[4]}},
		{"text with a wildcard", url.Values{"q": {"100%"}}, []string{rent}},
		{"nothing", url.Values{"q": {"%"}, "from": {"2026-03-05"}}, []string{}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			page := ada.object(http.MethodGet, "/api/v1/transactions?"+test.query.Encode(), nil,
				http.StatusOK)
			if diff := cmp.Diff(test.want, transactionIDs(page)); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
			if page["next_cursor"] != nil {
				t.Errorf("next_cursor: got %v, want null", page["next_cursor"])
			}
		})
	}

	// Three pages of three, following next_cursor, with the filters kept.
	var seen []string
	query := url.Values{"limit": {"3"}, "account": {"Checking"}}
	for pages := 0; ; pages++ {
		if pages == 3 {
			t.Fatalf("more than three pages; seen %v", seen)
		}
		page := ada.object(http.MethodGet, "/api/v1/transactions?"+query.Encode(), nil,
			http.StatusOK)
		seen = append(seen, transactionIDs(page)...)
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		query.Set("cursor", next)
	}
	want := []string{ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("paged transactions (-want +got):\n%s", diff)
	}
}

func TestAPITransactionsListRejectsBadParameters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")

	for _, query := range []string{"limit=0", "limit=501", "limit=ten", "limit=-1",
		"limit=99999999999999999999", "cursor=garbage", "cursor=2026-01-01_0",
		"from=2026-13-01", "to=yesterday", "account=Nowhere", "account=" + madeUpID,
		"include_voided=maybe"} {
		t.Run(query, func(t *testing.T) {
			got := ada.call(http.MethodGet, "/api/v1/transactions?"+query, nil)
			wantAPIError(t, got, http.StatusBadRequest, "bad_request")
			name, _, _ := strings.Cut(query, "=")
			wantBodyContains(t, got, `"message":"`+name+`: `)
		})
	}
}

func TestAPIAmendAndVoidTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	id := ada.record("2026-01-31", "Market", "12.50")
	path := "/api/v1/transactions/" + id

	amendment := map[string]any{"date": "2026-02-01", "description": "Market, corrected",
		"tags": []string{"food"}, "id": madeUpID, "voided": true, "revision": 9,
		"postings": []map[string]any{
			{"account": "Groceries", "amount": "13.00", "currency": "EUR"},
			{"account": "Cash", "amount": "-13.00", "currency": "EUR"}}}
	amended := ada.object(http.MethodPut, path, amendment, http.StatusOK)

	want := map[string]any{
		"id": id, "date": "2026-02-01", "description": "Market, corrected", "payee": "",
		"tags": []any{"food"}, "revision": float64(2), "voided": false,
		"postings": []any{
			map[string]any{"account_id": ada.accountID("Groceries"), "account": "Groceries",
				"amount": "13.00", "currency": "EUR", "price": nil},
			map[string]any{"account_id": ada.accountID("Cash"), "account": "Cash",
				"amount": "-13.00", "currency": "EUR", "price": nil},
		},
	}
	if diff := cmp.Diff(want, amended); diff != "" {
		t.Errorf("amended transaction (-want +got):\n%s", diff)
	}
	wantAPIError(t, ada.call(http.MethodPut, path, `{"date":"2026-02-01","postings":[]}`),
		http.StatusUnprocessableEntity, "invalid")

	voided := ada.object(http.MethodPost, path+"/void", `{"reason":"duplicate"}`, http.StatusOK)
	want["voided"] = true
	if diff := cmp.Diff(want, voided); diff != "" {
		t.Errorf("voided transaction (-want +got):\n%s", diff)
	}
	if got := ada.object(http.MethodGet, path, nil, http.StatusOK); !cmp.Equal(want, got) {
		t.Errorf("GET after void: got %v, want %v", got, want)
	}

	before := ada.events()
	wantAPIError(t, ada.call(http.MethodPost, path+"/void", nil), http.StatusConflict, "conflict")
	wantAPIError(t, ada.call(http.MethodPut, path, amendment), http.StatusConflict, "conflict")
	if after := ada.events(); after != before {
		t.Errorf("events: got %d, want %d", after, before)
	}

	listed := ada.object(http.MethodGet, "/api/v1/transactions", nil, http.StatusOK)
	withVoided := ada.object(http.MethodGet, "/api/v1/transactions?include_voided=true", nil,
		http.StatusOK)
	if len(transactionIDs(listed)) != 0 || !cmp.Equal(transactionIDs(withVoided), []string{id}) {
		t.Errorf("lists: got %v and, with voided, %v; want none and %s",
			transactionIDs(listed), transactionIDs(withVoided), id)
	}
	balances := ada.object(http.MethodGet, "/api/v1/accounts", nil, http.StatusOK)
	if strings.Contains(fmt.Sprint(balances), "13.00") {
		t.Errorf("a voided transaction still counts in the balances: %v", balances)
	}
}

func transactionIDs(page map[string]any) []string {
	ids := []string{}
	for _, transaction := range page["transactions"].([]any) {
		ids = append(ids, transaction.(map[string]any)["id"].(string))
	}
	return ids
}
