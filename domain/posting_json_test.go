package domain

import (
	"fmt"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// genericPosting is Posting without its UnmarshalJSONFrom method, decoded
// by json v2's generic struct decoder.
type genericPosting Posting

var postingPayloads = []string{
	`{"account_id":"6f1c3a52-7c1e-4a8e-9f55-0d0e3b9c2a11","amount":"12.50","currency":"EUR"}`,
	`{"account_id":"6f1c3a52-7c1e-4a8e-9f55-0d0e3b9c2a11","amount":"-0.000001","currency":"CHF","price":{"amount":"1.0825","currency":"USD"}}`,
	`{"amount":12.5,"currency":"EUR","price":null,"account_id":"6f1c3a527c1e4a8e9f550d0e3b9c2a11"}`,
	`{"amount":"123456789012345678901234.5","currency":"EUR"}`,
	`{"amount":"1e3","currency":"EUR","unknown":{"deep":[1,2,3]}}`,
	`{"amount":"-0","currency":"\u0045UR","\u0061mount":"2"}`,
	`{"amount":"00012.10","currency":"EUR"}`,
	`{"amount":null,"currency":null,"account_id":null}`,
	`{"Amount":"1","Currency":"EUR"}`,
	`null`,
	`{}`,
	`{"amount":".5"}`, `{"amount":"1."}`, `{"amount":"+1"}`, `{"amount":"1,5"}`, `{"amount":"NaN"}`, `{"amount":""}`,
	`{"amount":"-"}`, `{"amount":" 1"}`, `{"amount":true}`, `{"amount":"1234567890123456789"}`,
	`{"account_id":"not-a-uuid"}`, `{"account_id":42}`, `{"currency":5}`, `{"price":"1 USD"}`,
	`{"amount":"1","amount":"2"}`, `[1]`, `{"amount":"1"`, `{"currency":"\ud800"}`,
}

// TestPostingDecoderAgreesWithTheGenericOne: the fast decoder accepts and
// refuses what the generic one does, with the same result.
func TestPostingDecoderAgreesWithTheGenericOne(t *testing.T) {
	for _, payload := range postingPayloads {
		checkPostingDecoders(t, []byte(payload))
	}
}

func FuzzPostingDecoder(f *testing.F) {
	for _, payload := range postingPayloads {
		f.Add([]byte(payload))
	}
	f.Fuzz(checkPostingDecoders)
}

func checkPostingDecoders(t *testing.T, payload []byte) {
	var fast Posting
	var generic genericPosting
	fastErr := jsonv2.Unmarshal(payload, &fast)
	genericErr := jsonv2.Unmarshal(payload, &generic)
	if (fastErr == nil) != (genericErr == nil) {
		t.Fatalf("%s: fast error %v, generic error %v", payload, fastErr, genericErr)
	}
	if fastErr != nil {
		return
	}
	if got, want := describePosting(fast), describePosting(Posting(generic)); got != want {
		t.Fatalf("%s:\n fast:    %s\n generic: %s", payload, got, want)
	}
}

// describePosting shows every field, amounts with their exponent.
func describePosting(p Posting) string {
	s := fmt.Sprintf("%s %s e%d %q", p.AccountID, p.Amount.Coefficient(), p.Amount.Exponent(), p.Currency)
	if p.Price != nil {
		s += fmt.Sprintf(" @ %s e%d %q", p.Price.Amount.Coefficient(), p.Price.Amount.Exponent(), p.Price.Currency)
	}
	return s
}
