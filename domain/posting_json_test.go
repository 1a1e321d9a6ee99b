package domain

import (
	"fmt"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/uuid"
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

// GenericEntry and genericRecorded mirror Entry and TransactionRecorded
// without UnmarshalJSONFrom methods anywhere inside.
type GenericEntry struct {
	Date        Date             `json:"date"`
	Description string           `json:"description"`
	Payee       string           `json:"payee,omitempty"`
	Tags        []string         `json:"tags,omitempty"`
	Postings    []genericPosting `json:"postings"`
}

type genericRecorded struct {
	TransactionID uuid.UUID `json:"transaction_id"`
	GenericEntry
}

var transactionPayloads = []string{
	`{"transaction_id":"0b6d7b9e-3f9a-4c51-8f7e-7f1f1f3e2a10","date":"2024-02-29","description":"Rent \u00e9","payee":"Landlord","tags":["home","rent"],"postings":[{"account_id":"6f1c3a52-7c1e-4a8e-9f55-0d0e3b9c2a11","amount":"1200.00","currency":"EUR"},{"account_id":"6f1c3a52-7c1e-4a8e-9f55-0d0e3b9c2a12","amount":"-1200.00","currency":"EUR","price":{"amount":"1.08","currency":"USD"}}]}`,
	`{"postings":[],"date":"","transaction_id":"0b6d7b9e3f9a4c518f7e7f1f1f3e2a10","extra":[{"x":1}]}`,
	`{"date":null,"description":null,"payee":null,"tags":null,"postings":null,"transaction_id":null}`,
	`{"date":"2024-13-01"}`, `{"date":"1899-12-31"}`, `{"date":20240101}`, `{"tags":"home"}`, `{"tags":[1]}`,
	`{"postings":{}}`, `{"postings":[null]}`, `{"postings":[{"amount":"x"}]}`, `{"postings":[1]}`,
	`{"\u0064ate":"2024-01-01","description":"a","description":"b"}`, `{"Date":"2024-01-01"}`,
	`null`, `[]`, `{}`, `"x"`, `{"transaction_id":"0b6d7b9e"}`, `{"description":"\ud800"}`,
}

func TestTransactionDecoderAgreesWithTheGenericOne(t *testing.T) {
	for _, payload := range transactionPayloads {
		checkTransactionDecoders(t, []byte(payload))
	}
}

func FuzzTransactionDecoder(f *testing.F) {
	for _, payload := range transactionPayloads {
		f.Add([]byte(payload))
	}
	f.Fuzz(checkTransactionDecoders)
}

func checkTransactionDecoders(t *testing.T, payload []byte) {
	var recorded TransactionRecorded
	var amended TransactionAmended
	var generic genericRecorded
	recordedErr := jsonv2.Unmarshal(payload, &recorded)
	amendedErr := jsonv2.Unmarshal(payload, &amended)
	genericErr := jsonv2.Unmarshal(payload, &generic)
	if (recordedErr == nil) != (genericErr == nil) || (amendedErr == nil) != (genericErr == nil) {
		t.Fatalf("%s: errors %v, %v; generic %v", payload, recordedErr, amendedErr, genericErr)
	}
	if genericErr != nil {
		return
	}
	want := describeTransaction(generic.TransactionID, generic.Date, generic.Description, generic.Payee, generic.Tags, generic.Postings)
	got := describeTransaction(recorded.TransactionID, recorded.Date, recorded.Description, recorded.Payee, recorded.Tags, genericPostings(recorded.Postings))
	if got != want {
		t.Fatalf("%s:\n fast:    %s\n generic: %s", payload, got, want)
	}
	if amended.TransactionID != recorded.TransactionID || amended.Description != recorded.Description {
		t.Fatalf("%s: amended decodes differently", payload)
	}
}

func genericPostings(postings []Posting) []genericPosting {
	if postings == nil {
		return nil
	}
	out := make([]genericPosting, len(postings))
	for i, p := range postings {
		out[i] = genericPosting(p)
	}
	return out
}

func describeTransaction(id uuid.UUID, date Date, description, payee string, tags []string, postings []genericPosting) string {
	s := fmt.Sprintf("%s %s %q %q %q tags-nil=%v postings-nil=%v", id, date, description, payee, tags, tags == nil, postings == nil)
	for _, p := range postings {
		s += " | " + describePosting(Posting(p))
	}
	return s
}
