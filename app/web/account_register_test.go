package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var registerOlder = regexp.MustCompile(`href="(/accounts/[^"]*cursor=[^"]*)"[^>]*rel="next"`)

// registerBalances returns the balance column of a register, top to bottom.
func registerBalances(body string) []string {
	rows := regexp.MustCompile(`(?s)<td class="amount">.*?</td>\s*<td class="amount"><span[^>]*>([^&<]*)&nbsp;`)
	var balances []string
	for _, match := range rows.FindAllStringSubmatch(body, -1) {
		balances = append(balances, match[1])
	}
	return balances
}

func TestAccountRegister(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, cash := ada.account("Checking"), ada.account("Cash")
	for day := 1; day <= 52; day++ {
		date := fmt.Sprintf("2026-01-%02d", (day-1)%31+1)
		ada.record(entryForm(date, fmt.Sprintf("Withdrawal %02d", day), posting{cash, "2"},
			posting{checking, "-2"}))
	}

	page := ada.get("/accounts/" + cash)
	wantStatus(t, page, http.StatusOK)
	wantPage(t, page, "<h1>Cash", "Withdrawal 52", `<div id="register">`)
	balances := registerBalances(page.body)
	if len(balances) != 50 || balances[0] != "104.00" || balances[49] != "6.00" {
		t.Fatalf("balances of the first page: got %v, want 50 from 104.00 down to 6.00",
			balances)
	}

	match := registerOlder.FindStringSubmatch(page.body)
	if match == nil {
		t.Fatalf("no link to older postings:\n%s", page.body)
	}
	older := ada.htmx("register").get(strings.ReplaceAll(match[1], "&amp;", "&"))
	wantStatus(t, older, http.StatusOK)
	wantFragment(t, older, `<div id="register">`, ">Newest</a>")
	if got := registerBalances(older.body); len(got) != 2 || got[0] != "4.00" || got[1] != "2.00" {
		t.Errorf("balances of the second page: got %v, want [4.00 2.00]", got)
	}

	bad := ada.get("/accounts/" + cash + "?cursor=nonsense")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
}
