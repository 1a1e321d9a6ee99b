package imports

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"folio/domain"
)

// Wise's CSV statement has no published specification; its columns are found by header
// name, since exports have gained columns over the years.
const (
	wiseID              = "transferwise id"
	wiseDate            = "date"
	wiseAmount          = "amount"
	wiseCurrency        = "currency"
	wiseDescription     = "description"
	wiseReference       = "payment reference"
	wiseBalance         = "running balance"
	wiseExchangeFrom    = "exchange from"
	wiseExchangeTo      = "exchange to"
	wiseExchangeRate    = "exchange rate"
	wisePayer           = "payer name"
	wisePayee           = "payee name"
	wiseMerchant        = "merchant"
	wiseFees            = "total fees"
	wiseExchangeToValue = "exchange to amount"
	// wiseChargesPrefix starts the description of a fee booked on its own line.
	wiseChargesPrefix = "wise charges for:"
)

func isWiseHeader(line string) bool {
	lower := strings.ToLower(line)
	return strings.Contains(lower, wiseID) && strings.Contains(lower, wiseBalance)
}

func parseWiseCSV(r io.Reader, head []byte) (Statement, error) {
	delimiter := ','
	if firstLine, _, _ := bytes.Cut(head, []byte("\n")); bytes.Count(firstLine, []byte(";")) >
		bytes.Count(firstLine, []byte(",")) {
		delimiter = ';'
	}
	reader := newCSVReader(r, delimiter, detectEncoding(head))
	record, _, err := reader.next()
	if err != nil {
		return Statement{}, eofAsEmpty(err)
	}
	index := map[string]int{}
	for i, name := range record {
		index[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, required := range []string{wiseID, wiseDate, wiseAmount, wiseCurrency} {
		if _, ok := index[required]; !ok {
			return Statement{}, parseErrorf(1, 0, "the Wise statement has no column %q", required)
		}
	}
	statement := Statement{Format: FormatWiseCSV}
	for {
		record, line, err := reader.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Statement{}, err
		}
		if blank(record) {
			continue
		}
		parsed, err := wiseCSVLine(record, line, index)
		if err != nil {
			return Statement{}, err
		}
		if len(statement.Lines) == LinesMax {
			return Statement{}, parseErrorf(line, 0, "the file has more than %d lines: split it", LinesMax)
		}
		statement.Lines = append(statement.Lines, parsed)
		if statement.Currency == "" {
			statement.Currency = parsed.Currency
		}
	}
	dropSeparateFees(statement.Lines)
	return statement, nil
}

func wiseCSVLine(record []string, line int, index map[string]int) (Line, error) {
	field := func(name string) string {
		i, ok := index[name]
		if !ok || i >= len(record) {
			return ""
		}
		return strings.TrimSpace(record[i])
	}
	fail := func(name, format string, args ...any) (Line, error) {
		args = append([]any{index[name] + 1, name}, args...)
		return Line{}, parseErrorf(line, index[name]+1, "column %d (%s): "+format, args...)
	}
	parsed := Line{Number: line, ProviderID: field(wiseID), Reference: cleanText(field(wiseReference)),
		Description: cleanText(field(wiseDescription))}
	var err error
	if parsed.ProviderID == "" {
		return fail(wiseID, "the line has no id")
	}
	if parsed.Date, err = parseWiseDate(field(wiseDate)); err != nil {
		return fail(wiseDate, "%q is not a date written DD-MM-YYYY", field(wiseDate))
	}
	if parsed.Amount, err = parseAmount(field(wiseAmount), DecimalDot); err != nil {
		return fail(wiseAmount, "%q is not an amount", field(wiseAmount))
	}
	if parsed.Currency, err = domain.NormalizeCurrency("currency", field(wiseCurrency)); err != nil {
		return fail(wiseCurrency, "%q is not a currency code", field(wiseCurrency))
	}
	if text := field(wiseFees); text != "" {
		if parsed.Fee, err = parseAmount(text, DecimalDot); err != nil {
			return fail(wiseFees, "%q is not an amount", text)
		}
		parsed.Fee = parsed.Fee.Abs()
	}
	if text := field(wiseBalance); text != "" {
		if balance, err := parseAmount(text, DecimalDot); err == nil {
			parsed.Balance = &balance
		}
	}
	parsed.Payee = cleanText(firstOf(field(wiseMerchant), field(wisePayee), field(wisePayer)))
	if parsed.Amount.IsNegative() && field(wisePayee) == "" && field(wiseMerchant) == "" {
		parsed.Payee = ""
	}
	if err := wiseCSVExchange(&parsed, field); err != nil {
		return fail(wiseExchangeToValue, "%s", err.Error())
	}
	return parsed, nil
}

// wiseCSVExchange fills the foreign side of a card payment or conversion that left this
// balance in another currency.
func wiseCSVExchange(parsed *Line, field func(string) string) error {
	from, to := strings.ToUpper(field(wiseExchangeFrom)), strings.ToUpper(field(wiseExchangeTo))
	if from != parsed.Currency || to == "" || to == parsed.Currency || !parsed.Amount.IsNegative() {
		return nil
	}
	text := field(wiseExchangeToValue)
	if text == "" {
		return nil // older exports: the rate alone does not say what was paid
	}
	amount, err := parseAmount(text, DecimalDot)
	if err != nil {
		return errors.New("the exchanged amount is not an amount")
	}
	if _, err := domain.NormalizeCurrency("currency", to); err != nil || amount.IsZero() {
		return nil
	}
	parsed.ForeignAmount, parsed.ForeignCurrency = amount.Abs(), to
	return nil
}

func firstOf(values ...string) string {
	for _, value := range values {
		if value != "" {
			return value
		}
	}
	return ""
}

func parseWiseDate(text string) (domain.Date, error) {
	for _, layout := range []string{"02-01-2006", "2006-01-02", "02.01.2006"} {
		if date, err := parseDate(text, layout); err == nil {
			return date, nil
		}
	}
	return domain.Date{}, errors.New("not a date")
}

// dropSeparateFees keeps a fee from counting twice: when a file books a transfer's fee
// on a line of its own ("Wise Charges for: TRANSFER-1"), the transfer's Total fees is
// only a note.
func dropSeparateFees(lines []Line) {
	charged := map[string]bool{}
	for _, line := range lines {
		lower := strings.ToLower(line.Description)
		if strings.HasPrefix(lower, wiseChargesPrefix) {
			charged[strings.TrimSpace(line.Description[len(wiseChargesPrefix):])] = true
		}
	}
	for i := range lines {
		if charged[lines[i].ProviderID] || strings.HasPrefix(strings.ToLower(lines[i].Description), wiseChargesPrefix) {
			lines[i].Fee = decimal.Zero
		}
	}
}

// WiseLineKind says whether a Wise line is a fee on its own or a transaction, for keys.
func WiseLineKind(line Line) string {
	if strings.HasPrefix(strings.ToLower(line.Description), wiseChargesPrefix) {
		return "fee"
	}
	return "main"
}
