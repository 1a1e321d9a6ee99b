package domain

import (
	"bytes"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// UnmarshalJSONFrom decodes a posting for json v2, which DecodeEvent uses.
// Every fold decodes every posting of every transaction, and through the
// generic struct decoder and the id's and amount's own text methods that
// was a quarter of a rebuild's CPU. It takes what the generic decoder takes
// (TestPostingDecoderAgreesWithTheGenericOne holds it to that): unknown
// members are skipped, amounts may be strings or numbers.
func (p *Posting) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeObject(dec, "a posting", func() { *p = Posting{} },
		func(name []byte) error { return p.decodeMember(dec, name) })
}

// decodeObject reads a JSON object member by member: null leaves the
// target as it is, as the generic decoder does; otherwise reset clears it
// and decodeMember reads the value of each member name.
func decodeObject(dec *jsontext.Decoder, what string, reset func(), decodeMember func(name []byte) error) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	if token, err := dec.ReadToken(); err != nil {
		return err
	} else if token.Kind() != '{' {
		return fmt.Errorf("%s is a JSON object, not %s", what, token.Kind())
	}
	reset()
	for dec.PeekKind() != '}' {
		name, err := readName(dec)
		if err != nil {
			return err
		}
		if err := decodeMember(name); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func (p *Posting) decodeMember(dec *jsontext.Decoder, name []byte) error {
	switch string(name) {
	case `"account_id"`:
		return decodeMember(dec, &p.AccountID, decodeUUID)
	case `"amount"`:
		return decodeMember(dec, &p.Amount, decodeAmount)
	case `"currency"`:
		return decodeMember(dec, &p.Currency, decodeString)
	case `"price"`:
		if dec.PeekKind() == 'n' {
			_, err := dec.ReadToken()
			p.Price = nil
			return err
		}
		price := new(Price)
		if err := jsonv2.UnmarshalDecode(dec, price); err != nil {
			return err
		}
		p.Price = price
		return nil
	}
	return dec.SkipValue()
}

// decodeMember reads a member's value and parses it into target; null
// leaves the target as it is, as the generic decoder does.
func decodeMember[T any](dec *jsontext.Decoder, target *T, parse func(jsontext.Value) (T, error)) error {
	value, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if value.Kind() == 'n' {
		return nil
	}
	parsed, err := parse(value)
	if err != nil {
		return err
	}
	*target = parsed
	return nil
}

func decodeString(value jsontext.Value) (string, error) {
	if value.Kind() != '"' {
		return "", fmt.Errorf("expected a JSON string, not %s", value)
	}
	if bytes.IndexByte(value, '\\') < 0 {
		return string(value[1 : len(value)-1]), nil
	}
	var s string
	err := jsonv2.Unmarshal(value, &s)
	return s, err
}

func decodeUUID(value jsontext.Value) (uuid.UUID, error) {
	if value.Kind() != '"' || bytes.IndexByte(value, '\\') >= 0 {
		var id uuid.UUID
		err := jsonv2.Unmarshal(value, &id)
		return id, err
	}
	return uuid.ParseBytes(value[1 : len(value)-1])
}

// decodeAmount parses a decimal from a JSON string or number. Plain
// amounts of up to 18 digits take a direct path; anything else goes through
// decimal's own parser.
func decodeAmount(value jsontext.Value) (decimal.Decimal, error) {
	text := []byte(value)
	switch value.Kind() {
	case '"':
		text = text[1 : len(text)-1]
	case '0':
	default:
		return decimal.Decimal{}, fmt.Errorf("an amount is a JSON string or number, not %s", value)
	}
	if amount, ok := parsePlainDecimal(text); ok {
		return amount, nil
	}
	var amount decimal.Decimal
	err := amount.UnmarshalJSON(value)
	return amount, err
}

// parsePlainDecimal parses [-]digits[.digits] of at most 18 digits.
func parsePlainDecimal(text []byte) (decimal.Decimal, bool) {
	negative := len(text) > 0 && text[0] == '-'
	if negative {
		text = text[1:]
	}
	var coefficient int64
	digits, fraction, point := 0, 0, false
	for i, c := range text {
		switch {
		case c >= '0' && c <= '9':
			coefficient = coefficient*10 + int64(c-'0')
			digits++
			if point {
				fraction++
			}
		case c == '.' && !point && i > 0 && i < len(text)-1:
			point = true
		default:
			return decimal.Decimal{}, false
		}
	}
	if digits == 0 || digits > 18 {
		return decimal.Decimal{}, false
	}
	if negative {
		coefficient = -coefficient
	}
	return decimal.New(coefficient, int32(-fraction)), true
}

// UnmarshalJSONFrom decodes the event for json v2 with entryDecoder; see
// Posting.UnmarshalJSONFrom for why.
func (e *TransactionRecorded) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeTransactionEvent(dec, &e.TransactionID, &e.Entry)
}

// UnmarshalJSONFrom decodes the event for json v2; see TransactionRecorded.
func (e *TransactionAmended) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeTransactionEvent(dec, &e.TransactionID, &e.Entry)
}

// decodeTransactionEvent decodes an object of a transaction id and an
// entry's members, the shape of TransactionRecorded and TransactionAmended.
func decodeTransactionEvent(dec *jsontext.Decoder, id *uuid.UUID, entry *Entry) error {
	reset := func() { *id, *entry = uuid.UUID{}, Entry{} }
	return decodeObject(dec, "a transaction event", reset, func(name []byte) error {
		switch string(name) {
		case `"transaction_id"`:
			return decodeMember(dec, id, decodeUUID)
		case `"date"`:
			return decodeDate(dec, &entry.Date)
		case `"description"`:
			return decodeMember(dec, &entry.Description, decodeString)
		case `"payee"`:
			return decodeMember(dec, &entry.Payee, decodeString)
		case `"tags"`:
			return jsonv2.UnmarshalDecode(dec, &entry.Tags)
		case `"postings"`:
			return decodePostings(dec, &entry.Postings)
		}
		return dec.SkipValue()
	})
}

// readName reads an object member's name as quoted JSON without escapes.
// Callers switch on string(name), which Go compares without a copy.
func readName(dec *jsontext.Decoder) ([]byte, error) {
	name, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(name, '\\') < 0 {
		return name, nil
	}
	var unescaped string
	if err := jsonv2.Unmarshal(name, &unescaped); err != nil {
		return nil, err
	}
	return []byte(`"` + unescaped + `"`), nil
}

// decodeDate hands the value to Date.UnmarshalJSON, null included, as the
// generic decoder does.
func decodeDate(dec *jsontext.Decoder, date *Date) error {
	value, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return date.UnmarshalJSON(value)
}

func decodePostings(dec *jsontext.Decoder, postings *[]Posting) error {
	if dec.PeekKind() != '[' {
		return jsonv2.UnmarshalDecode(dec, postings)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	decoded := make([]Posting, 0, 4)
	for dec.PeekKind() != ']' {
		var posting Posting
		if err := posting.UnmarshalJSONFrom(dec); err != nil {
			return err
		}
		decoded = append(decoded, posting)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*postings = decoded
	return nil
}
