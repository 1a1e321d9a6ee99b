package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
)

func runReplay(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("replay", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	email := flags.String("user", "", "whose books")
	version := flags.Int64("version", 0, "replay up to and including this event version")
	date := flags.String("date", "", "replay the events recorded up to the end of this day (UTC), YYYY-MM-DD")
	asOf := flags.String("as-of", "", "optionally, show balances as of this accounting date, YYYY-MM-DD")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	point, label, err := historyPoint(*version, *date)
	if err != nil {
		return err
	}
	if *email == "" {
		return usagef("give --user EMAIL")
	}
	var accountingDate domain.Date
	if *asOf != "" {
		if accountingDate, err = domain.ParseDate("as-of", *asOf); err != nil {
			return usagef("%v", err)
		}
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	userID, err := userIDByEmail(ctx, db, *email)
	if err != nil {
		return err
	}

	books, err := projections.FoldAt(ctx, db.Pool, userID, point)
	if err != nil {
		return err
	}
	if point.Version > books.Version {
		return fmt.Errorf("the books of %s have only %d events", *email, books.Version)
	}
	fmt.Fprintf(env.stdout, "Trial balance of %s %s (event %d), folded from the events alone\n", *email, label, books.Version)
	if !accountingDate.IsZero() {
		fmt.Fprintf(env.stdout, "Accounting dates up to %s\n", accountingDate)
	}
	printTrialBalance(env.stdout, books.TrialBalance(accountingDate))
	return nil
}

func historyPoint(version int64, date string) (projections.HistoryPoint, string, error) {
	switch {
	case (version > 0) == (date != ""):
		return projections.HistoryPoint{}, "", usagef("give exactly one of --version N (N >= 1) or --date YYYY-MM-DD")
	case version > 0:
		return projections.HistoryPoint{Version: version}, fmt.Sprintf("at version %d", version), nil
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return projections.HistoryPoint{}, "", usagef("--date %q is not a date: use YYYY-MM-DD", date)
	}
	return projections.HistoryPoint{Before: day.AddDate(0, 0, 1)}, "as recorded by the end of " + date + " UTC", nil
}

func printTrialBalance(w io.Writer, rows []domain.TrialBalanceRow) {
	table := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(table, "TYPE\tACCOUNT\tCURRENCY\tAMOUNT\t")
	totals := map[string]decimal.Decimal{}
	var currencies []string
	for _, row := range rows {
		fmt.Fprintf(table, "%s\t%s\t%s\t%s\t\n", row.AccountType, row.AccountName, row.Currency, domain.FormatAmount(row.Amount))
		if _, seen := totals[row.Currency]; !seen {
			currencies = append(currencies, row.Currency)
		}
		totals[row.Currency] = totals[row.Currency].Add(row.Amount)
	}
	for _, currency := range currencies {
		fmt.Fprintf(table, "total\t\t%s\t%s\t\n", currency, domain.FormatAmount(totals[currency]))
	}
	_ = table.Flush()
}
