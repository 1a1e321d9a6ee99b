// Package wisetest is an in-process fake of the Wise API for tests: it serves the real
// paths and response shapes (with fields Folio does not read), checks the token, splits
// nothing for the caller, and can answer with each error Wise gives.
package wisetest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Token is the personal token the fake accepts.
const Token = "wise-test-token-5d1c"

// ProfileID is the fake's business profile.
const ProfileID = 14599371

// Transaction is one statement line the fake serves; running balances are computed.
type Transaction struct {
	BalanceID   int64
	Date        time.Time
	Amount      string // signed, fees included
	Fee         string
	DetailsType string // CARD, TRANSFER, DEPOSIT, CONVERSION, …
	Description string
	Reference   string // referenceNumber
	Payee       string
	// The other currency of a card payment or conversion.
	ToAmount, ToCurrency     string
	FromAmount, FromCurrency string
	Rate                     string
}

// Balance is a currency balance of the profile.
type Balance struct {
	ID       int64
	Currency string
	Opening  string // balance before the first transaction
}

// Server is the fake. Change its fields before the calls that should see them.
type Server struct {
	*httptest.Server

	mu           sync.Mutex
	Balances     []Balance
	Transactions []Transaction
	// Failures to answer with: an HTTP status for every request (401, 500, …), a number
	// of 429 answers with RetryAfter before serving, and SCA for statements.
	Status     int
	RateLimits int
	RetryAfter string
	SCAKey     *rsa.PublicKey // statements need a signature by its private half
	SCAMissing bool           // statements need SCA, and no signature ever satisfies it
	Delay      time.Duration
	// Requests records every statement request's interval.
	Requests []Interval
	issued   map[string]bool
}

// Interval is what one statement request asked for.
type Interval struct {
	BalanceID  int64
	Start, End time.Time
}

// New starts a fake with an EUR and a USD balance.
func New() *Server {
	s := &Server{Balances: []Balance{{ID: 200001, Currency: "EUR", Opening: "0"},
		{ID: 200002, Currency: "USD", Opening: "0"}}, issued: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/profiles", s.profiles)
	mux.HandleFunc("GET /v4/profiles/{profile}/balances", s.balances)
	mux.HandleFunc("GET /v1/profiles/{profile}/balance-statements/{balance}/statement.json", s.statement)
	s.Server = httptest.NewServer(s.guard(mux))
	return s
}

func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		status, delay := s.Status, s.Delay
		limited := s.RateLimits > 0
		if limited {
			s.RateLimits--
		}
		s.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
		}
		switch {
		case r.Header.Get("Authorization") != "Bearer "+Token || status == http.StatusUnauthorized:
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Invalid token"})
		case limited:
			if s.RetryAfter != "" {
				w.Header().Set("Retry-After", s.RetryAfter)
			}
			w.Header().Set("X-Rate-Limited-By", "fake")
			w.WriteHeader(http.StatusTooManyRequests)
		case status >= 500:
			writeJSON(w, status, map[string]any{"timestamp": "2025-02-02T13:07:39.644+0000", "status": status,
				"error": "Internal Server Error", "exception": "java.lang.NullPointerException", "path": r.URL.Path})
		case status != 0:
			writeJSON(w, status, map[string]any{"errors": []map[string]any{{"code": "error.fake", "message": "Refused by the fake"}}})
		default:
			w.Header().Set("x-trace-id", "trace-1")
			next.ServeHTTP(w, r)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) profiles(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{
		{"type": "PERSONAL", "id": 14575282, "publicId": "a1b2c3d4-0000-4000-8000-000000000001", "userId": 9889627,
			"currentState": "VISIBLE", "firstName": "Ann", "lastName": "Lee", "fullName": "Ann Lee",
			"contactDetails": map[string]any{"email": "a@example.com"}},
		{"type": "BUSINESS", "id": ProfileID, "publicId": "f0e9d8c7-0000-4000-8000-000000000002", "userId": 9889627,
			"currentState": "VISIBLE", "businessName": "Lee OÜ", "registrationNumber": "12345678",
			"companyType": "LIMITED", "fullName": "Lee OÜ"},
	})
}

func (s *Server) balances(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("types") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{"code": "types.required"}}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, balance := range s.Balances {
		amount := s.runningBalance(balance, time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC))
		out = append(out, map[string]any{"id": balance.ID, "currency": balance.Currency, "type": "STANDARD",
			"name": nil, "icon": nil, "investmentState": "NOT_INVESTED", "visible": true,
			"amount":         map[string]any{"value": json.Number(amount.String()), "currency": balance.Currency},
			"reservedAmount": map[string]any{"value": 0, "currency": balance.Currency},
			"creationTime":   "2020-05-20T14:43:16.658Z"})
	}
	writeJSON(w, http.StatusOK, out)
}

// runningBalance is a balance's amount after every transaction before end.
func (s *Server) runningBalance(balance Balance, end time.Time) decimal.Decimal {
	total := decimal.RequireFromString(balance.Opening)
	for _, t := range s.Transactions {
		if t.BalanceID == balance.ID && !t.Date.After(end) {
			total = total.Add(decimal.RequireFromString(t.Amount))
		}
	}
	return total
}

func (s *Server) statement(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	start, err1 := time.Parse(time.RFC3339, query.Get("intervalStart"))
	end, err2 := time.Parse(time.RFC3339, query.Get("intervalEnd"))
	balanceID, err3 := strconv.ParseInt(r.PathValue("balance"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || query.Get("currency") == "" || end.Sub(start) > 469*24*time.Hour {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{"code": "invalid.interval",
			"message": "Interval is invalid"}}})
		return
	}
	if !s.approved(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests = append(s.Requests, Interval{BalanceID: balanceID, Start: start, End: end})
	var balance Balance
	for _, b := range s.Balances {
		if b.ID == balanceID {
			balance = b
		}
	}
	transactions := append([]Transaction(nil), s.Transactions...)
	sort.SliceStable(transactions, func(i, j int) bool { return transactions[i].Date.Before(transactions[j].Date) })
	var lines []map[string]any
	for _, t := range transactions {
		if t.BalanceID != balanceID || t.Date.Before(start) || t.Date.After(end) {
			continue
		}
		lines = append(lines, s.transactionJSON(t, balance))
	}
	// Wise lists the newest first.
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"accountHolder": map[string]any{"type": "BUSINESS", "businessName": "Lee OÜ"},
		"issuer":        map[string]any{"name": "Wise Europe SA", "country": "Belgium"},
		"bankDetails":   []any{},
		"transactions":  lines,
		"endOfStatementBalance": map[string]any{"value": json.Number(s.runningBalance(balance, end).String()),
			"currency": balance.Currency, "zero": false},
		"endOfStatementUnrealisedGainLoss": nil,
		"query": map[string]any{"intervalStart": query.Get("intervalStart"), "intervalEnd": query.Get("intervalEnd"),
			"type": "COMPACT", "currency": balance.Currency, "profileId": ProfileID, "timezone": "Z"},
		"request": map[string]any{"id": "feb3dcfb-0000-4000-8000-000000000003", "balanceId": balanceID},
	})
}

func money(value, currency string) map[string]any {
	return map[string]any{"value": json.Number(value), "currency": currency}
}

func (s *Server) transactionJSON(t Transaction, balance Balance) map[string]any {
	kind := "CREDIT"
	if strings.HasPrefix(t.Amount, "-") {
		kind = "DEBIT"
	}
	fee := t.Fee
	if fee == "" {
		fee = "0"
	}
	details := map[string]any{"type": t.DetailsType, "description": t.Description, "paymentReference": "",
		"category": "Misc"}
	switch {
	case t.DetailsType == "CARD":
		details["merchant"] = map[string]any{"name": t.Payee, "city": "NYC", "country": "US", "category": "Retail"}
	case kind == "DEBIT":
		details["recipient"] = map[string]any{"name": t.Payee, "bankAccount": "DE00 0000"}
	default:
		details["senderName"] = t.Payee
		details["senderAccount"] = "EE00 1700"
	}
	var exchange any
	if t.ToCurrency != "" || t.FromCurrency != "" {
		e := map[string]any{"rate": json.Number(firstOr(t.Rate, "1"))}
		if t.ToCurrency != "" {
			e["toAmount"] = money(t.ToAmount, t.ToCurrency)
		}
		if t.FromCurrency != "" {
			e["fromAmount"] = money(t.FromAmount, t.FromCurrency)
		}
		exchange = e
	}
	return map[string]any{"type": kind, "date": t.Date.UTC().Format("2006-01-02T15:04:05.000Z"),
		"amount": money(t.Amount, balance.Currency), "totalFees": money(fee, balance.Currency),
		"details": details, "exchangeDetails": exchange,
		"runningBalance":  money(s.runningBalance(balance, t.Date).String(), balance.Currency),
		"referenceNumber": t.Reference, "attachment": nil, "activityAssetAttributions": []any{}}
}

func firstOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// approved answers the SCA challenge flow and reports whether the request may go on.
func (s *Server) approved(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	key, missing := s.SCAKey, s.SCAMissing
	s.mu.Unlock()
	if key == nil && !missing {
		return true
	}
	token, signature := r.Header.Get("x-2fa-approval"), r.Header.Get("X-Signature")
	if token != "" && key != nil && s.issuedToken(token) {
		decoded, err := base64.StdEncoding.DecodeString(signature)
		digest := sha256.Sum256([]byte(token))
		if err == nil && rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], decoded) == nil {
			return true
		}
	}
	s.mu.Lock()
	ott := fmt.Sprintf("ott-%d", len(s.issued)+1)
	s.issued[ott] = true
	s.mu.Unlock()
	w.Header().Set("x-2fa-approval-result", "REJECTED")
	w.Header().Set("x-2fa-approval", ott)
	w.WriteHeader(http.StatusForbidden)
	return false
}

func (s *Server) issuedToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[token]
}

// Set changes the fake under its lock.
func (s *Server) Set(change func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s)
}

// StatementRequests returns the intervals asked for so far.
func (s *Server) StatementRequests() []Interval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Interval(nil), s.Requests...)
}
