package imports

import (
	"encoding/csv"
	"sort"
	"strconv"
	"strings"

	"folio/domain"
)

// Guess is what Folio makes of a generic CSV file from its first bytes: a mapping for the
// user to confirm, and the rows the mapping screen previews.
type Guess struct {
	Mapping   Mapping
	Header    []string   // column names, "1", "2", … when the file has none
	Rows      [][]string // the first data rows
	Signature string     // HeaderSignature of the header, "" without one
}

const (
	guessRecordsMax = 40
	previewRowsMax  = 10
	// guessFieldsMax bounds the columns the guess looks into; columns past it can still
	// be mapped by number.
	guessFieldsMax = 40
)

var delimiters = []rune{',', ';', '\t', '|'}

// Words that column headers use, in the languages of the banks Folio has seen.
var (
	dateWords        = []string{"booking date", "buchungstag", "buchungsdatum", "transaction date", "date", "datum", "fecha", "data", "posted", "boekdatum"}
	amountWords      = []string{"amount", "betrag", "bedrag", "montant", "importe", "importo", "umsatz", "value", "summe"}
	debitWords       = []string{"debit", "withdrawal", "paid out", "money out", "soll", "ausgang", "belastung", "débit", "out"}
	creditWords      = []string{"credit", "deposit", "paid in", "money in", "haben", "eingang", "gutschrift", "crédit", "in"}
	directionWords   = []string{"af bij", "af/bij", "debit/credit", "credit/debit", "cr/dr", "dr/cr", "direction", "soll/haben", "s/h", "d/c", "type"}
	descriptionWords = []string{"description", "verwendungszweck", "memo", "details", "mededelingen", "omschrijving", "purpose", "narrative", "buchungstext", "libellé", "text", "concepto"}
	payeeWords       = []string{"payee", "counterparty", "beneficiary", "empfänger", "zahlungsempfänger", "auftraggeber", "name", "naam", "merchant", "begünstigter", "partner"}
	referenceWords   = []string{"reference", "referenz", "ref", "transaction id", "id"}
	currencyWords    = []string{"currency", "währung", "ccy", "devise", "moneda"}
	debitValues      = []string{"af", "d", "dr", "db", "dbit", "debit", "s", "soll", "out", "-"}
)

// GuessCSV sniffs a generic CSV file's layout from its first bytes.
func GuessCSV(head []byte) Guess {
	return guessCSV(head, len(head) < sniffBytes)
}

// Guess is GuessCSV for a head that may be cut short.
func guessCSV(head []byte, complete bool) Guess {
	encoding := detectEncoding(head)
	text := decodeHead(head, encoding, complete)
	delimiter, records := guessDelimiter(text)
	mapping := Mapping{Delimiter: string(delimiter), Encoding: encoding, DateFormat: DateFormats[0].Name,
		Decimal: DecimalDot}
	guess := Guess{Mapping: mapping}
	if len(records) == 0 {
		return guess
	}
	start, header := findDataStart(records)
	data := records[start:]
	width := modeWidth(records)
	if header {
		guess.Header = padded(records[start-1], width)
		guess.Mapping.Header, guess.Mapping.SkipRows = true, start-1
		guess.Signature = HeaderSignature(guess.Header)
	} else {
		guess.Mapping.SkipRows = start
		for i := 0; i < width; i++ {
			guess.Header = append(guess.Header, strconv.Itoa(i+1))
		}
	}
	for _, row := range data[:min(len(data), previewRowsMax)] {
		guess.Rows = append(guess.Rows, padded(row, width))
	}
	guessColumns(&guess.Mapping, guess.Header, data, width)
	return guess
}

// guessDelimiter picks the delimiter that splits the most rows into the same number of
// fields, more than one.
func guessDelimiter(text string) (rune, [][]string) {
	bestScore, best, bestRecords := -1, delimiters[0], [][]string(nil)
	for _, delimiter := range delimiters {
		records := readRecords(text, delimiter)
		width := modeWidth(records)
		score := 0
		if width > 1 {
			for _, record := range records {
				if len(record) == width {
					score += width
				}
			}
		}
		if score > bestScore {
			bestScore, best, bestRecords = score, delimiter, records
		}
	}
	return best, bestRecords
}

func readRecords(text string, delimiter rune) [][]string {
	reader := csv.NewReader(strings.NewReader(text))
	reader.Comma, reader.LazyQuotes, reader.FieldsPerRecord = delimiter, true, -1
	var records [][]string
	for len(records) < guessRecordsMax {
		record, err := reader.Read()
		if err != nil {
			break
		}
		if len(record) > guessFieldsMax {
			record = record[:guessFieldsMax]
		}
		records = append(records, record)
	}
	return records
}

// modeWidth is the most common number of fields.
func modeWidth(records [][]string) int {
	counts := map[int]int{}
	best, bestCount := 0, 0
	for _, record := range records {
		counts[len(record)]++
		if c := counts[len(record)]; c > bestCount || (c == bestCount && len(record) > best) {
			best, bestCount = len(record), c
		}
	}
	return best
}

func padded(row []string, width int) []string {
	out := make([]string, width)
	copy(out, row)
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// findDataStart returns the index of the first record with a date in it, and whether the
// record before it is a header. Banks often put account details above the header.
func findDataStart(records [][]string) (int, bool) {
	width := modeWidth(records)
	for i, record := range records {
		if len(record) != width || !hasDate(record) {
			continue
		}
		// Some banks end each data row with a delimiter, giving it one field more.
		header := i > 0 && len(records[i-1]) >= width-1 && !hasDate(records[i-1])
		return i, header
	}
	if len(records) > 1 {
		return 1, true
	}
	return 0, false
}

func hasDate(record []string) bool {
	for _, field := range record {
		if anyDateFormat(field) {
			return true
		}
	}
	return false
}

func anyDateFormat(text string) bool {
	text = strings.TrimSpace(text)
	// Every format starts with a digit and writes 6 to 10 characters, perhaps followed by
	// a time: most cells are refused here, before any parsing.
	if len(text) < 6 || len(text) > 40 || text[0] < '0' || text[0] > '9' {
		return false
	}
	for _, format := range DateFormats {
		if _, err := parseDate(text, format.Layout); err == nil {
			return true
		}
	}
	return false
}

// columnStats describes the values of one column of the data rows.
type columnStats struct {
	values  []string // non-empty values
	dates   int
	amounts int
}

func statsOf(data [][]string, column int, separator DecimalSeparator) columnStats {
	var stats columnStats
	for _, row := range data {
		if column >= len(row) || strings.TrimSpace(row[column]) == "" {
			continue
		}
		value := strings.TrimSpace(row[column])
		stats.values = append(stats.values, value)
		if anyDateFormat(value) {
			stats.dates++
		}
		if _, err := parseAmount(value, separator); err == nil && !strings.ContainsAny(value, "/") {
			stats.amounts++
		}
	}
	return stats
}

// guessColumns fills the mapping's columns from header words and the data's shape.
func guessColumns(m *Mapping, header []string, data [][]string, width int) {
	var all []string
	stats := make([]columnStats, width)
	for column := 0; column < width; column++ {
		for _, row := range data {
			if column < len(row) {
				all = append(all, row[column])
			}
		}
	}
	m.Decimal = guessSeparator(numericLooking(all))
	for column := 0; column < width; column++ {
		stats[column] = statsOf(data, column, m.Decimal)
	}
	used := map[int]bool{}
	pick := func(words []string, accept func(columnStats) bool) string {
		column := findByWords(header, words, used, func(i int) bool { return accept(stats[i]) })
		if column < 0 {
			return ""
		}
		used[column] = true
		return columnSpec(header, column)
	}
	isDate := func(s columnStats) bool { return len(s.values) > 0 && s.dates == len(s.values) }
	// A column is an amount when most of its values read as one: a stray bad value must
	// not hide the column, it is better named by the parse that follows.
	isAmount := func(s columnStats) bool { return s.amounts*5 >= len(s.values)*4 && s.dates < len(s.values) }
	isText := func(s columnStats) bool { return true }

	m.Date = pick(dateWords, isDate)
	if m.Date == "" {
		m.Date = firstColumn(stats, used, isDate, header)
	}
	m.Debit = pick(debitWords, isAmount)
	m.Credit = pick(creditWords, isAmount)
	if m.Debit == "" || m.Credit == "" {
		for _, spec := range []string{m.Debit, m.Credit} {
			if column, ok := findColumn(header, spec); ok && spec != "" {
				delete(used, column)
			}
		}
		m.Debit, m.Credit = "", ""
		m.Amount = pick(amountWords, func(s columnStats) bool { return isAmount(s) && len(s.values) > 0 })
		if m.Amount == "" {
			m.Amount = firstColumn(stats, used, func(s columnStats) bool { return isAmount(s) && len(s.values) > 0 }, header)
		}
		m.Direction = pick(directionWords, func(s columnStats) bool { return isDirection(s.values) })
		if m.Direction != "" {
			m.DebitValue = debitValueOf(stats[mustColumn(header, m.Direction)].values)
		}
	}
	if m.Date != "" {
		m.DateFormat = guessDateFormat(stats[mustColumn(header, m.Date)].values)
	}
	m.Description = pick(descriptionWords, isText)
	m.Payee = pick(payeeWords, isText)
	m.Reference = pick(referenceWords, isText)
	m.Currency = pick(currencyWords, func(s columnStats) bool { return isCurrency(s.values) })
	if m.Description == "" {
		m.Description = longestTextColumn(stats, used, header)
	}
}

func numericLooking(values []string) []string {
	var out []string
	for _, value := range values {
		value = strings.TrimSpace(value)
		if value != "" && !anyDateFormat(value) && strings.IndexFunc(value, func(r rune) bool {
			return !strings.ContainsRune("0123456789.,-+ '()", r)
		}) < 0 && strings.ContainsAny(value, "0123456789") {
			out = append(out, value)
		}
	}
	return out
}

// findByWords returns the first column, by word order, whose header contains a word and
// whose values accept; -1 when none.
func findByWords(header, words []string, used map[int]bool, accept func(int) bool) int {
	for _, word := range words {
		for i, name := range header {
			name = strings.ToLower(strings.TrimSpace(name))
			match := name == word || (len(word) > 3 && strings.Contains(name, word))
			if match && !used[i] && accept(i) {
				return i
			}
		}
	}
	return -1
}

func firstColumn(stats []columnStats, used map[int]bool, accept func(columnStats) bool, header []string) string {
	for i, s := range stats {
		if !used[i] && accept(s) {
			used[i] = true
			return columnSpec(header, i)
		}
	}
	return ""
}

func longestTextColumn(stats []columnStats, used map[int]bool, header []string) string {
	best, bestLength := -1, 0
	for i, s := range stats {
		length := 0
		for _, value := range s.values {
			length += len(value)
		}
		if !used[i] && s.amounts < len(s.values) && s.dates < len(s.values) && length > bestLength {
			best, bestLength = i, length
		}
	}
	if best < 0 {
		return ""
	}
	used[best] = true
	return columnSpec(header, best)
}

func columnSpec(header []string, column int) string {
	if column < len(header) && strings.TrimSpace(header[column]) != "" {
		return strings.TrimSpace(header[column])
	}
	return strconv.Itoa(column + 1)
}

func mustColumn(header []string, spec string) int {
	column, _ := findColumn(header, spec)
	return column
}

func isDirection(values []string) bool {
	distinct := map[string]bool{}
	for _, value := range values {
		distinct[strings.ToLower(value)] = true
	}
	if len(distinct) == 0 || len(distinct) > 2 {
		return false
	}
	for value := range distinct {
		if len(value) > 6 {
			return false
		}
	}
	return true
}

func debitValueOf(values []string) string {
	for _, candidate := range debitValues {
		for _, value := range values {
			if strings.EqualFold(value, candidate) {
				return value
			}
		}
	}
	return ""
}

func isCurrency(values []string) bool {
	for _, value := range values {
		if _, err := domain.NormalizeCurrency("currency", value); err != nil {
			return false
		}
	}
	return len(values) > 0
}

// guessDateFormat picks the format that reads every value. When several do (3/4/2025 is
// day-first and month-first), the one that puts the rows in date order wins, as
// statements are sorted; day-first when that does not decide.
func guessDateFormat(values []string) string {
	type candidate struct {
		name    string
		ordered bool
	}
	var candidates []candidate
	for _, format := range DateFormats {
		var dates []domain.Date
		for _, value := range values {
			date, err := parseDate(value, format.Layout)
			if err != nil {
				break
			}
			dates = append(dates, date)
		}
		if len(dates) == len(values) && len(values) > 0 {
			candidates = append(candidates, candidate{format.Name, sorted(dates)})
		}
	}
	if len(candidates) == 0 {
		return DateFormats[0].Name
	}
	sort.SliceStable(candidates, func(i, j int) bool { return candidates[i].ordered && !candidates[j].ordered })
	return candidates[0].name
}

func sorted(dates []domain.Date) bool {
	ascending, descending := true, true
	for i := 1; i < len(dates); i++ {
		ascending = ascending && !dates[i].Before(dates[i-1])
		descending = descending && !dates[i].After(dates[i-1])
	}
	return ascending || descending
}
