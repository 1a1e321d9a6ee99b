package wise

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Statement is a balance statement over one interval.
type Statement struct {
	Transactions          []Transaction `json:"transactions"`
	EndOfStatementBalance Money         `json:"endOfStatementBalance"`
}

// Transaction is one line of a balance statement.
type Transaction struct {
	Type            string           `json:"type"` // CREDIT or DEBIT
	Date            time.Time        `json:"date"`
	Amount          Money            `json:"amount"` // signed, fees included
	TotalFees       Money            `json:"totalFees"`
	Details         Details          `json:"details"`
	ExchangeDetails *ExchangeDetails `json:"exchangeDetails"`
	RunningBalance  Money            `json:"runningBalance"`
	ReferenceNumber string           `json:"referenceNumber"`
}

// Details say what a transaction was.
type Details struct {
	Type             string `json:"type"`
	Description      string `json:"description"`
	PaymentReference string `json:"paymentReference"`
	SenderName       string `json:"senderName"`
	Recipient        *struct {
		Name string `json:"name"`
	} `json:"recipient"`
	Merchant *struct {
		Name string `json:"name"`
	} `json:"merchant"`
	SourceAmount *Money `json:"sourceAmount"`
	TargetAmount *Money `json:"targetAmount"`
	Amount       *Money `json:"amount"`
}

// ExchangeDetails is the other currency of a card payment or a conversion. Older
// answers give forAmount instead of toAmount.
type ExchangeDetails struct {
	ToAmount   *Money          `json:"toAmount"`
	FromAmount *Money          `json:"fromAmount"`
	ForAmount  *Money          `json:"forAmount"`
	Rate       decimal.Decimal `json:"rate"`
}

// Window is an interval of at most WindowDaysMax days.
type Window struct{ Start, End time.Time }

// Windows splits the days from..to (both included, in UTC) into intervals Wise accepts.
func Windows(from, to time.Time) []Window {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	var windows []Window
	for start.Before(end) {
		next := start.AddDate(0, 0, WindowDaysMax)
		if next.After(end) {
			next = end
		}
		windows = append(windows, Window{Start: start, End: next.Add(-time.Millisecond)})
		start = next
	}
	return windows
}

// Statement fetches one balance's statement over the days from..to, in as many requests
// as the range needs, and returns its transactions oldest first with the balance at the
// end of the range.
func (c *Client) Statement(ctx context.Context, profileID, balanceID int64, currency string,
	from, to time.Time) (Statement, error) {
	var whole Statement
	for _, window := range Windows(from, to) {
		var part Statement
		query := url.Values{
			"currency":      {currency},
			"intervalStart": {window.Start.Format("2006-01-02T15:04:05.000Z")},
			"intervalEnd":   {window.End.Format("2006-01-02T15:04:05.000Z")},
			"type":          {"COMPACT"},
		}
		path := "/v1/profiles/" + strconv.FormatInt(profileID, 10) + "/balance-statements/" +
			strconv.FormatInt(balanceID, 10) + "/statement.json"
		if err := c.get(ctx, path, query, &part); err != nil {
			return Statement{}, err
		}
		whole.Transactions = append(whole.Transactions, part.Transactions...)
		whole.EndOfStatementBalance = part.EndOfStatementBalance
	}
	sort.SliceStable(whole.Transactions, func(i, j int) bool {
		return whole.Transactions[i].Date.Before(whole.Transactions[j].Date)
	})
	return whole, nil
}
