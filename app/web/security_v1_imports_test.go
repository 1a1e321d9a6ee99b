package web_test

// Catalogue §4 (CSV, OFX, CAMT) and ASVS V1.5.1, V1.2.1, V5.2.1 for statement imports,
// through the real upload API. app/imports proves the parser's own limits
// (TestParseErrorsNameTheLine: long lines, invalid UTF-8, nesting; FuzzCSV, FuzzOFX,
// FuzzCAMT); TestAPIImportLimits the size limit; TestAPIImportIsolation that
// de-duplication never looks at another user's books.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ASVS V1.5.1, V5.2.1, catalogue §4: hostile statements are refused quickly with a client
// error, never a crash: billion laughs and external entities (encoding/xml expands neither),
// 20,000 nested elements, a 15 MiB line, UTF-16. Nothing is imported. Text is decoded to
// UTF-8 once and cleaned of control characters.
func TestSecurityImportsRefuseHostileFiles(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	if !hasRoute(routesOf(ss.testServer), http.MethodPost, "/api/v1/imports") {
		t.Skip("no statement import yet")
	}
	cl, auth := importUser(t, ss.testServer, "ada@example.org")
	ss.track(cl)
	ss.secret(strings.TrimPrefix(auth["Authorization"], "Bearer "))

	entity, previous := `<!ENTITY lol "lol">`, "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		entity += `<!ENTITY ` + name + ` "` + strings.Repeat("&"+previous+";", 10) + `">`
		previous = name
	}
	camtEntry := func(text string) string {
		return `<Document><BkToCstmrStmt><Stmt><Acct><Ccy>EUR</Ccy></Acct><Ntry>` +
			`<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-01-02</Dt>` +
			`</BookgDt><AddtlNtryInf>` + text + `</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt>` +
			`</Document>`
	}
	files := []struct{ name, content string }{
		{"laughs.xml", `<?xml version="1.0"?><!DOCTYPE Document [` + entity + `]>` +
			camtEntry("&lol9;")},
		{"xxe.xml", `<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY xxe SYSTEM ` +
			`"file:///etc/passwd">]>` + camtEntry("&xxe;")},
		{"deep.xml", `<?xml version="1.0"?><Document><BkToCstmrStmt>` +
			strings.Repeat("<x>", 20000) + strings.Repeat("</x>", 20000) +
			`</BkToCstmrStmt></Document>`},
		{"deep.ofx", "OFXHEADER:100\n\n<OFX>" + strings.Repeat("<A>", 20000)},
		{"long.csv", "Date,Description,Amount\n2026-01-02," + strings.Repeat("x", 15<<20) +
			",-1.00\n"},
		{"utf16.csv", "\xff\xfeD\x00a\x00t\x00e\x00,\x00A\x00\n\x00"},
	}
	for _, file := range files {
		t.Run(file.name, func(t *testing.T) {
			start := time.Now()
			got, _ := importFile(t, cl, auth, "Checking", file.name, file.content, false)

			if got.status < 400 || got.status >= 500 {
				t.Errorf("status %d, want a client error\n%.300s", got.status, got.body)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("answered after %s", elapsed)
			}
			if strings.Contains(got.body, "root:") || strings.Contains(got.body, "lollollol") {
				t.Errorf("an entity was expanded:\n%.300s", got.body)
			}
		})
	}
	if n := ss.count(`SELECT count(*) FROM journal`); n != 0 {
		t.Errorf("transactions imported from hostile files: %d", n)
	}

	// Text is decoded once, to UTF-8 (a file that is not UTF-8 is read as Latin-1), and
	// control characters (NUL, escape, CR) in a line are cleaned out.
	importFile(t, cl, auth, "Checking", "latin1.csv",
		"Date,Description,Amount\n2026-01-03,Caf\xe9,-1.00\n", false)
	importFile(t, cl, auth, "Checking", "control.csv",
		"Date,Description,Amount\n2026-01-02,Coff\x00ee\x1b[2J\rx,-1.00\n", false)
	if n := ss.count(`SELECT count(*) FROM journal`); n != 2 {
		t.Errorf("lines imported from the Latin-1 and control files: got %d, want 2", n)
	}
	if n := ss.count(`SELECT count(*) FROM journal WHERE description ~ '[[:cntrl:]]'`); n != 0 {
		t.Errorf("descriptions with control characters: %d", n)
	}
	if n := ss.count(`SELECT count(*) FROM journal WHERE description = 'Café'`); n != 1 {
		t.Errorf("the Latin-1 line: %d descriptions read as Café, want 1", n)
	}
}

// ASVS V1.2.1, V3.2.2 (Akaunting CVE-2026-118368): text imported from a statement is shown
// escaped on every page and fragment, and a UTF-8 byte-order mark does not break the header.
func TestSecurityImportedTextIsInert(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	if !hasRoute(routesOf(ss.testServer), http.MethodPost, "/api/v1/imports") {
		t.Skip("no statement import yet")
	}
	cl, auth := importUser(t, ss.testServer, "ada@example.org")
	ss.track(cl)
	ss.secret(strings.TrimPrefix(auth["Authorization"], "Bearer "))
	statement := "\xef\xbb\xbfDate,Description,Amount\n" +
		`2026-01-02,"` + strings.ReplaceAll(xssPayload, `"`, `""`) + `",-1.00` + "\n"

	got, answer := importFile(t, cl, auth, "Checking", "<img src=x onerror=alert(3)>.csv",
		statement, false)
	wantStatus(t, got, http.StatusCreated)
	if answer.New != 1 {
		t.Fatalf("imported: got %+v, want one new line", answer)
	}

	cl.get("/settings")
	ids := ss.idsOf(ss.userID("ada@example.org"))
	for _, route := range routesOf(ss.testServer) {
		if route.method != http.MethodGet || strings.HasPrefix(route.path, "/static/") {
			continue
		}
		for _, id := range candidateIDs(route, ids) {
			for _, htmx := range []string{"", "true"} {
				cl.header.Set("HX-Request", htmx)
				page := cl.get(route.url(id))
				if strings.HasPrefix(page.header.Get("Content-Type"), "text/html") &&
					(strings.Contains(page.body, "<script>alert") ||
						strings.Contains(page.body, "<img src=x")) {
					t.Errorf("%s: imported markup is live", route.url(id))
				}
			}
		}
	}
}
