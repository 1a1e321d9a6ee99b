package domain

import (
	"sort"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// TrialBalanceRow is one account's balance in one currency.
type TrialBalanceRow struct {
	AccountID   uuid.UUID
	AccountName string
	AccountType AccountType
	Currency    string
	Amount      decimal.Decimal
}

// TrialBalance lists every non-zero balance as of a date, by account type,
// name and currency. A zero asOf means every date.
func (b *Books) TrialBalance(asOf Date) []TrialBalanceRow {
	sums := map[uuid.UUID]map[string]decimal.Decimal{}
	for _, id := range b.txnOrder {
		txn := b.transactions[id]
		if txn.Voided || (!asOf.IsZero() && txn.Date.After(asOf)) {
			continue
		}
		for _, posting := range txn.Postings {
			if sums[posting.AccountID] == nil {
				sums[posting.AccountID] = map[string]decimal.Decimal{}
			}
			sums[posting.AccountID][posting.Currency] = sums[posting.AccountID][posting.Currency].Add(posting.Amount)
		}
	}
	var rows []TrialBalanceRow
	for accountID, perCurrency := range sums {
		account := b.accounts[accountID]
		for currency, amount := range perCurrency {
			if amount.IsZero() {
				continue
			}
			rows = append(rows, TrialBalanceRow{AccountID: accountID, AccountName: account.Name,
				AccountType: account.Type, Currency: currency, Amount: amount})
		}
	}
	sortTrialBalance(rows)
	return rows
}

func sortTrialBalance(rows []TrialBalanceRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.AccountType != b.AccountType {
			return a.AccountType.Rank() < b.AccountType.Rank()
		}
		if a.AccountName != b.AccountName {
			return a.AccountName < b.AccountName
		}
		return a.Currency < b.Currency
	})
}

// TrialBalanceWeights sums, per currency, what every non-voided posting up
// to asOf weighs (its amount, or amount × price). In correct books each sum
// is zero: this is the check that the books balance as a whole.
func (b *Books) TrialBalanceWeights(asOf Date) map[string]decimal.Decimal {
	sums := map[string]decimal.Decimal{}
	for _, id := range b.txnOrder {
		txn := b.transactions[id]
		if txn.Voided || (!asOf.IsZero() && txn.Date.After(asOf)) {
			continue
		}
		for _, posting := range txn.Postings {
			weight, currency := posting.Weight()
			sums[currency] = sums[currency].Add(weight)
		}
	}
	return sums
}
