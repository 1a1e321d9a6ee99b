package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// statementPart is a field of a statement upload; a part with a file name is the file.
type statementPart struct {
	name, fileName, value string
}

func statementBody(t testing.TB, parts ...statementPart) (string, []byte) {
	t.Helper()
	var body bytes.Buffer
	writer := multipart.NewWriter(&body)
	for _, part := range parts {
		header := textproto.MIMEHeader{}
		disposition := fmt.Sprintf(`form-data; name=%q`, part.name)
		if part.fileName != "" {
			disposition += fmt.Sprintf(`; filename=%q`, part.fileName)
			header.Set("Content-Type", "text/csv")
		}
		header.Set("Content-Disposition", disposition)
		w, err := writer.CreatePart(header)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(part.value))
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	return writer.FormDataContentType(), body.Bytes()
}

// upload sends a statement upload to path with the given headers.
func (cl *client) upload(path string, header map[string]string, parts ...statementPart) response {
	cl.t.Helper()
	contentType, body := statementBody(cl.t, parts...)
	request := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	request.Header.Set("Content-Type", contentType)
	for name, value := range header {
		request.Header.Set(name, value)
	}
	return cl.do(request)
}

const checkingCSV = "Date,Description,Amount\n" +
	"2026-02-02,REWE Markt 4711,-23.45\n" +
	"2026-02-03,Salary February,2500.00\n" +
	"2026-02-04,Coffee,-3.20\n" +
	"2026-02-04,Coffee,-3.20\n"

type importAnswer struct {
	ID         *string `json:"id"`
	DryRun     bool    `json:"dry_run"`
	Format     string  `json:"format"`
	FileSHA256 string  `json:"file_sha256"`
	New        int     `json:"new"`
	Duplicates int     `json:"duplicates"`
	Failed     int     `json:"failed"`
	Message    string  `json:"message"`
	Lines      []struct {
		Line    int     `json:"line"`
		Status  string  `json:"status"`
		Amount  string  `json:"amount"`
		Account string  `json:"account"`
		Rule    *string `json:"rule"`
		Error   *string `json:"error"`
	} `json:"lines"`
	BalanceCheck []map[string]string `json:"balance_check"`
}

func importUser(t *testing.T, ts *testServer, email string) (*client, map[string]string) {
	t.Helper()
	browser := ts.client()
	browser.register(email)
	_, token := apiToken(t, browser, "imports")
	return browser, bearer(token)
}

func importFile(t *testing.T, cl *client, auth map[string]string, account, name, content string, dryRun bool) (response, importAnswer) {
	t.Helper()
	parts := []statementPart{{name: "account", value: account}}
	if dryRun {
		parts = append(parts, statementPart{name: "dry_run", value: "true"})
	}
	parts = append(parts, statementPart{name: "file", fileName: name, value: content})
	got := cl.upload("/api/v1/imports", auth, parts...)
	var answer importAnswer
	if strings.HasPrefix(got.header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal([]byte(got.body), &answer)
	}
	return got, answer
}

func TestAPIImportPreviewImportReimportUndo(t *testing.T) {
	ts := newTestServer(t)
	cl, auth := importUser(t, ts, "ann@example.com")

	got, preview := importFile(t, cl, auth, "Checking", "feb.csv", checkingCSV, true)
	wantStatus(t, got, http.StatusOK)
	if !preview.DryRun || preview.ID != nil || preview.New != 4 || preview.Duplicates != 0 || len(preview.Lines) != 4 ||
		preview.Lines[0].Account != "Uncategorized" || preview.Lines[0].Line != 2 {
		t.Fatalf("preview: got %s", got.body)
	}
	if n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1`, ts.userID("ann@example.com")); n != 0 {
		t.Fatalf("a dry run stored %d transactions", n)
	}

	got, first := importFile(t, cl, auth, "Checking", "feb.csv", checkingCSV, false)
	wantStatus(t, got, http.StatusCreated)
	if first.ID == nil || first.New != 4 || first.Duplicates != 0 || len(first.FileSHA256) != 64 {
		t.Fatalf("import: got %s", got.body)
	}

	ts.clock.Advance(time.Minute) // the list is newest first
	overlapping := checkingCSV + "2026-02-05,Rent,-900.00\n"
	got, second := importFile(t, cl, auth, "Checking", "feb2.csv", overlapping, false)
	wantStatus(t, got, http.StatusCreated)
	if second.New != 1 || second.Duplicates != 4 || !strings.Contains(second.Message, "4 already imported lines are skipped") {
		t.Fatalf("overlapping import: got %s", got.body)
	}
	userID := ts.userID("ann@example.com")
	if n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1 AND NOT voided`, userID); n != 5 {
		t.Fatalf("transactions: got %d, want 5", n)
	}

	got = cl.api(http.MethodGet, "/api/v1/imports", nil, auth)
	wantStatus(t, got, http.StatusOK)
	var list []map[string]any
	decode(t, got, &list)
	if len(list) != 2 || list[1]["id"] != *first.ID || list[1]["new"].(float64) != 4 || list[0]["duplicates"].(float64) != 4 ||
		list[1]["imported_by"] != userID.String() || list[1]["file_sha256"] != first.FileSHA256 {
		t.Fatalf("imports: got %s", got.body)
	}

	got = cl.api(http.MethodPost, "/api/v1/imports/"+*first.ID+"/undo", nil, auth)
	wantStatus(t, got, http.StatusOK)
	if n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1 AND NOT voided`, userID); n != 1 {
		t.Fatalf("transactions after undo: got %d, want 1", n)
	}
	got = cl.api(http.MethodPost, "/api/v1/imports/"+*first.ID+"/undo", nil, auth)
	wantAPIError(t, got, http.StatusConflict, "conflict")

	got, again := importFile(t, cl, auth, "Checking", "feb.csv", checkingCSV, false)
	wantStatus(t, got, http.StatusCreated)
	if again.New != 4 {
		t.Fatalf("import after undo: got %s", got.body)
	}
}

func TestAPIImportIsAllOrNothing(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"UnreadableAmount", "Date,Description,Amount\n2026-02-02,A,-1.00\n2026-02-03,B,-2.00\n" +
			"2026-02-04,C,-3.0.0\n2026-02-05,D,-4.00\n2026-02-06,E,-5.00\n", "line 4, column 3"},
		{"CurrencyTheAccountRefuses", "Date,Description,Amount,Currency\n2026-02-02,A,-1.00,EUR\n" +
			"2026-02-03,B,-2.00,USD\n2026-02-04,C,-3.00,EUR\n", "line 3"},
		{"BrokenOFX", "OFXHEADER:100\n\n<OFX><STMTRS><CURDEF>EUR<BANKTRANLIST>\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260101" +
			"<TRNAMT>-1<FITID>1</STMTTRN>\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>2026x<TRNAMT>-1<FITID>2</STMTTRN>\n", "line 5"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			ts := newTestServer(t)
			cl, auth := importUser(t, ts, "ann@example.com")
			got, _ := importFile(t, cl, auth, "Checking", "bad.csv", test.content, false)
			wantAPIError(t, got, http.StatusUnprocessableEntity, "invalid")
			if !strings.Contains(got.body, test.want) {
				t.Errorf("error does not name %q: %s", test.want, got.body)
			}
			userID := ts.userID("ann@example.com")
			if n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1`, userID); n != 0 {
				t.Fatalf("%d transactions stored", n)
			}
			if n := ts.count(`SELECT count(*) FROM imports WHERE user_id = $1`, userID); n != 0 {
				t.Fatalf("%d imports stored", n)
			}
		})
	}
}

func TestAPIImportIsolation(t *testing.T) {
	ts := newTestServer(t)
	ann, annAuth := importUser(t, ts, "ann@example.com")
	bob, bobAuth := importUser(t, ts, "bob@example.com")
	_, annImport := importFile(t, ann, annAuth, "Checking", "feb.csv", checkingCSV, false)

	got := bob.api(http.MethodPost, "/api/v1/imports/"+*annImport.ID+"/undo", nil, bobAuth)
	wantAPIError(t, got, http.StatusNotFound, "not_found")
	made := bob.api(http.MethodPost, "/api/v1/imports/7b0e4d52-7f4a-4c1e-9a55-3c1b0f6f2f00/undo", nil, bobAuth)
	if made.status != got.status || made.body != got.body {
		t.Errorf("another user's id answers %d %s, a made-up one %d %s", got.status, got.body, made.status, made.body)
	}
	if n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1 AND NOT voided`, ts.userID("ann@example.com")); n != 4 {
		t.Fatalf("ann's transactions: got %d, want 4", n)
	}

	// The same file is new in Bob's books: de-duplication never looks at another user's.
	_, bobImport := importFile(t, bob, bobAuth, "Checking", "feb.csv", checkingCSV, false)
	if bobImport.New != 4 || bobImport.Duplicates != 0 {
		t.Fatalf("bob's import: got %+v", bobImport)
	}
	got = bob.api(http.MethodGet, "/api/v1/imports", nil, bobAuth)
	var list []map[string]any
	decode(t, got, &list)
	if len(list) != 1 || list[0]["id"] != *bobImport.ID {
		t.Fatalf("bob's imports: got %s", got.body)
	}
	got = bob.get("/imports/" + *annImport.ID)
	wantStatus(t, got, http.StatusNotFound)
}

func TestAPIImportLimits(t *testing.T) {
	ts := newTestServer(t)
	cl, auth := importUser(t, ts, "ann@example.com")

	huge := strings.Repeat("2026-02-02,Coffee,-3.20\n", 17<<20/24)
	got, _ := importFile(t, cl, auth, "Checking", "huge.csv", "Date,Description,Amount\n"+huge, false)
	wantAPIError(t, got, http.StatusRequestEntityTooLarge, "too_large")

	got, _ = importFile(t, cl, auth, "Savings Account That Is Not There", "feb.csv", checkingCSV, false)
	wantAPIError(t, got, http.StatusUnprocessableEntity, "invalid")

	got, _ = importFile(t, cl, auth, "Groceries", "feb.csv", checkingCSV, false)
	wantAPIError(t, got, http.StatusUnprocessableEntity, "invalid")

	got = cl.upload("/api/v1/imports", auth, statementPart{name: "account", value: "Checking"})
	wantAPIError(t, got, http.StatusUnprocessableEntity, "invalid")

	got = cl.upload("/api/v1/imports", auth, statementPart{name: "file", fileName: "a.csv", value: checkingCSV},
		statementPart{name: "mapping", value: `{"delimiter":","}`})
	wantAPIError(t, got, http.StatusBadRequest, "field_order")

	got = cl.api(http.MethodPost, "/api/v1/imports", map[string]string{"file": "x"}, auth)
	wantAPIError(t, got, http.StatusUnsupportedMediaType, "unsupported_media_type")
	if n := ts.count(`SELECT count(*) FROM imports`); n != 0 {
		t.Fatalf("%d imports stored", n)
	}
}

func TestAPIImportMappingAndRules(t *testing.T) {
	ts := newTestServer(t)
	cl, auth := importUser(t, ts, "ann@example.com")
	var groceries string
	err := ts.pool.QueryRow(context.Background(), `SELECT account_id::text FROM accounts WHERE user_id = $1 AND name = 'Groceries'`,
		ts.userID("ann@example.com")).Scan(&groceries)
	if err != nil {
		t.Fatal(err)
	}
	cl.get("/rules")
	got := cl.post("/rules", map[string][]string{"field": {"any"}, "match": {"regex"}, "pattern": {`^rewe\b`},
		"account": {groceries}})
	wantStatus(t, got, http.StatusSeeOther)

	semicolons := "Buchungstag;Text;Umsatz;Soll/Haben\n02.02.2026;REWE Markt;23,45;S\n03.02.2026;Gehalt;2.500,00;H\n"
	mapping := `{"delimiter":";","encoding":"utf-8","header":true,"date_format":"DD.MM.YYYY","decimal":",",` +
		`"date":"Buchungstag","amount":"Umsatz","direction":"Soll/Haben","debit_value":"S","description":"Text"}`
	got = cl.upload("/api/v1/imports", auth, statementPart{name: "account", value: "Checking"},
		statementPart{name: "mapping", value: mapping}, statementPart{name: "dry_run", value: "true"},
		statementPart{name: "file", fileName: "bank.csv", value: semicolons})
	wantStatus(t, got, http.StatusOK)
	var answer importAnswer
	decode(t, got, &answer)
	if len(answer.Lines) != 2 || answer.Lines[0].Amount != "-23.45" || answer.Lines[0].Account != "Groceries" ||
		answer.Lines[0].Rule == nil || answer.Lines[1].Amount != "2500.00" || answer.Lines[1].Rule != nil {
		t.Fatalf("preview: got %s", got.body)
	}

	got = cl.upload("/api/v1/imports", auth, statementPart{name: "account", value: "Checking"},
		statementPart{name: "mapping", value: mapping}, statementPart{name: "file", fileName: "bank.csv", value: semicolons})
	wantStatus(t, got, http.StatusCreated)
	// The mapping was saved for the account: the next file of this bank needs none.
	next := semicolons + "04.02.2026;Miete;900,00;S\n"
	got, reused := importFile(t, cl, auth, "Checking", "bank2.csv", next, false)
	wantStatus(t, got, http.StatusCreated)
	if reused.New != 1 || reused.Duplicates != 2 {
		t.Fatalf("import with the saved mapping: got %s", got.body)
	}
}
