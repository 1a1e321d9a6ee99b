package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestDashboard(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, card := ada.account("Checking"), ada.account("Credit Card")
	salary, groceries := ada.account("Salary"), ada.account("Groceries")
	today := ts.clock.Now().Format("2006-01-02")
	ada.record(entryForm(today, "Pay", posting{checking, "2000"}, posting{salary, "-2000"}))
	ada.record(entryForm(today, "Market", posting{groceries, "150.25"},
		posting{card, "-150.25"}))
	ada.record(entryForm("2020-01-01", "Long ago", posting{groceries, "5"},
		posting{checking, "-5"}))

	page := ada.get("/")
	wantStatus(t, page, http.StatusOK)
	wantPage(t, page, "Net worth", "1844.75", // 2000 - 5 - 150.25
		"Pay", "Market", "Long ago", `id="new-entry-form"`, `name="next" value="/"`)

	summary := ada.htmx("dashboard-summary").get("/")
	wantStatus(t, summary, http.StatusOK)
	wantFragment(t, summary, `<div id="dashboard-summary"`, "1844.75", "Market")
	if strings.Contains(summary.body, `id="new-entry-form"`) {
		t.Error("the summary fragment holds the entry form")
	}
	month := summary.body[strings.Index(summary.body, `id="month-heading"`):]
	month = month[:strings.Index(month, "</section>")]
	for _, want := range []string{"2000.00", "150.25", "1849.75"} { // income, expenses, net
		if !strings.Contains(month, want) {
			t.Errorf("this month lacks %s:\n%s", want, month)
		}
	}
	if strings.Contains(month, "155.25") {
		t.Errorf("this month counts an old transaction:\n%s", month)
	}
}
