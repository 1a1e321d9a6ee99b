package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"folio/app/digest"
)

func (ts *testServer) exec(sql string, args ...any) {
	ts.t.Helper()
	if _, err := ts.pool.Exec(context.Background(), sql, args...); err != nil {
		ts.t.Fatal(err)
	}
}

// tamperEvent rewrites an event's payload behind the append-only trigger, as an attacker
// with the database owner's rights could.
func (ts *testServer) tamperEvent(email string, version int, from, to string) {
	ts.t.Helper()
	ts.exec(`ALTER TABLE events DISABLE TRIGGER events_append_only`)
	ts.exec(`UPDATE events SET payload = replace(payload, $3, $4)
		WHERE user_id = $1 AND version = $2`, ts.userID(email), version, from, to)
	ts.exec(`ALTER TABLE events ENABLE TRIGGER events_append_only`)
}

func TestVerifyMyBooks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	books := ts.books("owner@example.com")
	books.record("2026-01-05", "Market", "Groceries", "12.50")
	books.record("2026-01-06", "Bakery", "Groceries", "4.10")
	events := ts.streamVersion(ts.userID("owner@example.com"))

	page := owner.get("/verify")
	wantStatus(t, page, http.StatusOK)
	wantBodyContains(t, page, "Verify my books", "Download a signed digest", "verify-digest")

	ok := owner.get("/verify/run")
	wantStatus(t, ok, http.StatusOK)
	wantBodyContains(t, ok, "Verified: ", "hash chain intact, read models equal a fresh fold")
	badge := owner.api(http.MethodGet, "/verify/badge", nil, map[string]string{"HX-Request": "true"})
	wantBodyContains(t, badge, "Today's read models equal a fresh fold")

	ts.exec(`UPDATE account_balances SET amount = amount + 1 WHERE user_id = $1`,
		ts.userID("owner@example.com"))
	drifted := owner.get("/verify/run")
	wantBodyContains(t, drifted, "The hash chain is intact, but the read models differ")
	ts.clock.Advance(2 * time.Minute) // past the badge's reuse of its last check
	badge = owner.api(http.MethodGet, "/verify/badge", nil, map[string]string{"HX-Request": "true"})
	wantBodyContains(t, badge, "Today's books do not verify")

	ts.tamperEvent("owner@example.com", events-1, "12.5", "1.25")
	broken := owner.get("/verify/run")
	wantBodyContains(t, broken, "The hash chain is broken at event")
	if !strings.Contains(broken.body, ">"+strconv.Itoa(events-1)+"</a>") {
		t.Errorf("the result does not name event %d:\n%s", events-1, broken.body)
	}
	wantStatus(t, owner.get("/verify/digest"), http.StatusConflict)
}

func TestSignedDigestVerifies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	ownerID := ts.userID("owner@example.com")
	ts.books("owner@example.com").record("2026-01-05", "Market", "Groceries", "12.50")

	got := owner.get("/verify/digest")

	wantStatus(t, got, http.StatusOK)
	if !strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("Content-Disposition: got %q, want an attachment", got.header.Get("Content-Disposition"))
	}
	signed, err := digest.Parse([]byte(got.body))
	if err != nil {
		t.Fatal(err)
	}
	key, err := digest.LoadKey("", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := digest.Verify(signed, key.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("verify: %v", err)
	}
	var version int64
	var head []byte
	err = ts.pool.QueryRow(context.Background(), `SELECT version, head_hash FROM streams WHERE user_id = $1`,
		ownerID).Scan(&version, &head)
	if err != nil {
		t.Fatal(err)
	}
	if signed.Book != ownerID || signed.Version != version || signed.HeadHash != hex.EncodeToString(head) ||
		signed.Owner != "owner@example.com" {
		t.Errorf("digest: got %+v, want version %d and head %x of %s", signed, version, head, ownerID)
	}
}
