package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"folio/domain"
)

// historyVersions returns the event numbers a history page lists, in order.
func historyVersions(body string) []string {
	var versions []string
	for _, match := range regexp.MustCompile(`title="See the books right after this event">(\d+)<`).
		FindAllStringSubmatch(body, -1) {
		versions = append(versions, match[1])
	}
	return versions
}

func atoi(t *testing.T, text string) int {
	t.Helper()
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHistoryDescribesWhatChanged(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	books := ts.books("owner@example.com")
	market := books.record("2026-01-05", "Market", "Groceries", "12.50")
	books.execute(domain.AmendTransaction{TransactionID: market,
		Entry: books.entry("2026-01-06", "Market hall", "Groceries", "15.20")})
	books.execute(domain.VoidTransaction{TransactionID: market, Reason: "entered twice"})
	books.execute(domain.RenameAccount{AccountID: books.account("Eating Out"), Name: "Restaurants"})
	books.execute(domain.SetLockDate{LockDate: domain.MustDate("2025-12-31")})

	got := owner.get("/history")

	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got,
		"Recorded “Market” dated 2026-01-05", "Groceries: 12.50 EUR", "Checking: -12.50 EUR",
		"Amended “Market hall” dated 2026-01-06",
		"date changed from 2026-01-05 to 2026-01-06",
		"description changed from “Market” to “Market hall”",
		"amount on Groceries changed from 12.50 to 15.20 EUR",
		"amount on Checking changed from -12.50 to -15.20 EUR",
		"Voided “Market hall” dated 2026-01-06", "reason: entered twice",
		"no longer counts: Groceries: 15.20 EUR",
		"Renamed the account “Eating Out” to “Restaurants”",
		"Locked every date up to and including 2025-12-31",
		"owner@example.com", // who: the registration opened the books as the owner
	)
	versions := historyVersions(got.body)
	for i := 1; i < len(versions); i++ {
		if atoi(t, versions[i]) >= atoi(t, versions[i-1]) {
			t.Errorf("versions: got %v, want newest first", versions)
			break
		}
	}
}

func TestHistoryPagesAndFilters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	books := ts.books("owner@example.com")
	opened := ts.streamVersion(ts.userID("owner@example.com"))
	for i := 0; i < 60; i++ {
		books.record("2026-03-01", fmt.Sprintf("Coffee %d", i), "Eating Out", "3.10")
	}
	books.execute(domain.VoidTransaction{TransactionID: books.read().Transactions()[0].ID})
	total := opened + 61

	first := owner.get("/history")
	wantStatus(t, first, http.StatusOK)
	firstVersions := historyVersions(first.body)
	if len(firstVersions) != 50 || firstVersions[0] != fmt.Sprint(total) {
		t.Fatalf("first page: got %d events from %v, want 50 from %d", len(firstVersions),
			firstVersions[:1], total)
	}
	older := regexp.MustCompile(`href="(/history\?[^"]*before=\d+[^"]*)">Older events`).
		FindStringSubmatch(first.body)
	if older == nil {
		t.Fatalf("first page has no link to older events")
	}
	second := owner.get(strings.ReplaceAll(older[1], "&amp;", "&"))
	secondVersions := historyVersions(second.body)
	if len(secondVersions) != total-50 || secondVersions[0] != fmt.Sprint(total-50) {
		t.Errorf("second page: got %v, want %d events from %d", secondVersions, total-50, total-50)
	}
	wantBodyContains(t, second, "Newest")

	voids := owner.get("/history?type=TransactionVoided")
	if got := historyVersions(voids.body); len(got) != 1 || got[0] != fmt.Sprint(total) {
		t.Errorf("type filter: got %v, want only event %d", got, total)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if got := historyVersions(owner.get("/history?from=" + today + "&to=" + today).body); len(got) != 50 {
		t.Errorf("recorded today: got %d events on the first page, want 50", len(got))
	}
	if got := historyVersions(owner.get("/history?from=" + tomorrow).body); len(got) != 0 {
		t.Errorf("recorded from tomorrow: got %v, want none", got)
	}
	ownerID := ts.userID("owner@example.com")
	byOwner := historyVersions(owner.get("/history?actor=" + ownerID.String()).body)
	if len(byOwner) != 50 {
		t.Errorf("by the owner: got %d events, want a full page", len(byOwner))
	}
	byNobody := historyVersions(owner.get("/history?actor=0b7e4f7a-95c2-4d3e-8f61-2a9c4e5d7b13").body)
	if len(byNobody) != 0 {
		t.Errorf("by a stranger: got %v, want none", byNobody)
	}

	for _, query := range []string{"type=Drop%20table", "from=yesterday", "from=2026-02-01&to=2026-01-01",
		"actor=me", "before=-3"} {
		got := owner.get("/history?" + query)
		if got.status != http.StatusUnprocessableEntity {
			t.Errorf("?%s: got %d, want 422", query, got.status)
		}
	}

	fragment := owner.api(http.MethodGet, "/history?type=TransactionVoided", nil,
		map[string]string{"HX-Request": "true"})
	if strings.Contains(fragment.body, "<html") || !strings.Contains(fragment.body, `id="history-list"`) {
		t.Errorf("htmx request: got the whole page or no list:\n%s", fragment.body)
	}
}
