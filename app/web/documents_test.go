package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"folio/app/documents/pdftest"
)

// postForm sends a multipart form as the documents page's form does, with the browser's
// cookies.
func (cl *client) postForm(path string, parts ...formPart) response {
	cl.t.Helper()
	contentType, body := multipartForm(cl.t, parts...)
	request := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	request.Header.Set("Content-Type", contentType)
	return cl.do(request)
}

// htmx sends a form as htmx does: with the page's CSRF token in the header.
func (cl *client) htmx(method, path string, form url.Values) response {
	cl.t.Helper()
	request := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	request.Header.Set("HX-Request", "true")
	request.Header.Set("X-CSRF-Token", cl.csrf)
	return cl.do(request)
}

func TestDocumentsPage(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	browser := ada.browser

	got := browser.get("/documents")
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, `href="/documents" aria-current="page"`, `enctype="multipart/form-data"`,
		"No documents yet.", "documents.js")
	if token, file := strings.Index(got.body, `name="_csrf"`), strings.Index(got.body, `type="file"`); token < 0 || token > file {
		t.Error("the upload form must send _csrf before its files")
	}

	id := ada.uploaded("Receipt <b>.pdf", pdftest.Document("Receipt"), http.StatusCreated)
	got = browser.get("/documents")
	wantBodyContains(t, got, "Receipt &lt;b&gt;.pdf", `href="/documents/`+id+`"`, `href="/documents/`+id+`?download=1"`)

	file := browser.get("/documents/" + id)
	wantStatus(t, file, http.StatusOK)
	if file.header.Get("Content-Type") != "application/pdf" || file.header.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("document from the page: got %v", file.header)
	}

	// Deleting from the list, with htmx and without.
	other := ada.uploaded("other.pdf", pdftest.Document("Other"), http.StatusCreated)
	got = browser.htmx(http.MethodPost, "/documents/"+id+"/delete", nil)
	wantStatus(t, got, http.StatusOK)
	if !strings.HasPrefix(strings.TrimSpace(got.body), `<section id="documents-list"`) || strings.Contains(got.body, id) {
		t.Errorf("delete with htmx: got %s", got.body)
	}
	got = browser.post("/documents/"+other+"/delete", nil)
	if got.status != http.StatusSeeOther || got.location() != "/documents" {
		t.Errorf("delete: got %d to %q", got.status, got.location())
	}
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files: got %v", files)
	}
}

func TestDocumentsPageUploadFormWithoutScript(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	browser := ada.browser
	browser.get("/documents")
	token := formPart{field: "_csrf", content: []byte(browser.csrf)}
	first, second := pdftest.Document("First"), pdftest.Document("Second")

	got := browser.postForm("/documents", token,
		formPart{field: "file", filename: "first.pdf", content: first},
		formPart{field: "file", filename: "second.pdf", content: second})
	if got.status != http.StatusSeeOther || got.location() != "/documents" {
		t.Fatalf("two PDFs: got %d to %q\n%s", got.status, got.location(), got.body)
	}

	got = browser.postForm("/documents", token,
		formPart{field: "file", filename: "first.pdf", content: first},
		formPart{field: "file", filename: "photo.pdf", content: []byte("\x89PNG\r\n\x1a\n....")})
	wantStatus(t, got, http.StatusUnsupportedMediaType)
	wantBodyContains(t, got, "first.pdf: already kept, stored once.", "photo.pdf: This file is not a PDF")

	// Without the token first, or with a wrong one, no file is read.
	got = browser.postForm("/documents", formPart{field: "file", filename: "third.pdf", content: pdftest.Document("Third")}, token)
	wantStatus(t, got, http.StatusForbidden)
	got = browser.postForm("/documents", formPart{field: "_csrf", content: []byte("forged")},
		formPart{field: "file", filename: "third.pdf", content: pdftest.Document("Third")})
	wantStatus(t, got, http.StatusForbidden)

	if files := pdfFiles(t, root); len(files) != 2 || files[0] == files[1] {
		t.Errorf("files: got %v, want first and second", files)
	}
	got = browser.postForm("/documents", token)
	wantStatus(t, got, http.StatusUnprocessableEntity)
	wantBodyContains(t, got, "choose PDF files to upload")
}

func TestDocumentsUsageInSettings(t *testing.T) {
	t.Parallel()
	ts, _ := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	ada.uploaded("receipt.pdf", pdftest.Padded("Receipt", 2<<20), http.StatusCreated)

	wantBodyContains(t, ada.browser.get("/settings"), `hx-get="/documents/usage"`)
	request := httptest.NewRequest(http.MethodGet, "/documents/usage", nil)
	request.Header.Set("HX-Request", "true")
	got := ada.browser.do(request)
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, "1 document uses <strong>2 MB</strong> of your 64 MB.", `value="3"`)

	got = ada.browser.get("/documents/usage")
	if got.status != http.StatusSeeOther || got.location() != "/documents" {
		t.Errorf("usage without htmx: got %d to %q", got.status, got.location())
	}
}

func TestTransactionDocumentsPage(t *testing.T) {
	t.Parallel()
	ts, _ := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	txn := ada.record("2026-01-31", "Weekly shop", "21.60")
	document := ada.uploaded("receipt.pdf", pdftest.Document("Receipt"), http.StatusCreated)
	path := "/transactions/" + txn + "/documents"
	browser := ada.browser

	// The transaction's page loads the fragment, and links to it for browsers without script.
	wantBodyContains(t, browser.get("/transactions/"+txn), `hx-get="`+path+`"`, `<a href="`+path+`">`)

	got := browser.get(path)
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, "Documents of “Weekly shop”", "No documents attached.", `<option value="`+document+`">`)

	got = browser.htmx(http.MethodPost, path, url.Values{"document_id": {document}})
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, `action="`+path+"/"+document+`/detach"`)
	if strings.Contains(got.body, `<option value="`+document) {
		t.Error("an attached document is offered again")
	}

	got = browser.htmx(http.MethodPost, path, url.Values{"document_id": {madeUpID}})
	wantStatus(t, got, http.StatusUnprocessableEntity)
	wantBodyContains(t, got, "there is no such document")

	got = browser.post(path+"/"+document+"/detach", nil)
	if got.status != http.StatusSeeOther || got.location() != path {
		t.Errorf("detach: got %d to %q", got.status, got.location())
	}
	wantBodyContains(t, browser.get(path), "No documents attached.")
	if ts.count(`SELECT count(*) FROM document_links`) != 0 {
		t.Error("the document is still attached")
	}
}

func TestDocumentPagesIsolation(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	adaTxn := ada.record("2026-01-31", "Ada's shop", "5")
	adaDocument := ada.uploaded("ada.pdf", pdftest.Document("Ada"), http.StatusCreated)
	bobTxn := bob.record("2026-01-31", "Bob's shop", "5")
	bob.browser.get("/documents")
	eventsBefore, filesBefore := ts.count(`SELECT count(*) FROM events`), pdfFiles(t, root)

	requests := []struct{ method, path string }{
		{http.MethodGet, "/documents/%s"},
		{http.MethodGet, "/documents/%s?download=1"},
		{http.MethodPost, "/documents/%s/delete"},
		{http.MethodPost, "/transactions/" + bobTxn + "/documents/%s/detach"},
	}
	for _, request := range requests {
		foreign := bob.browser.htmx(request.method, strings.ReplaceAll(request.path, "%s", adaDocument), nil)
		madeUp := bob.browser.htmx(request.method, strings.ReplaceAll(request.path, "%s", madeUpID), nil)
		if foreign.status != madeUp.status || stripRequestID(foreign.body) != stripRequestID(madeUp.body) {
			t.Errorf("%s %s: a foreign id answers %d, a made-up one %d", request.method, request.path,
				foreign.status, madeUp.status)
		}
		if foreign.status != http.StatusNotFound && foreign.status != http.StatusUnprocessableEntity {
			t.Errorf("%s %s: got %d", request.method, request.path, foreign.status)
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		form := url.Values{"document_id": {adaDocument}}
		foreign := bob.browser.htmx(method, "/transactions/"+adaTxn+"/documents", form)
		madeUp := bob.browser.htmx(method, "/transactions/"+madeUpID+"/documents", form)
		wantStatus(t, foreign, http.StatusNotFound)
		if stripRequestID(foreign.body) != stripRequestID(madeUp.body) {
			t.Errorf("%s a foreign transaction's documents: answers differ", method)
		}
	}

	if got := ts.count(`SELECT count(*) FROM events`); got != eventsBefore {
		t.Errorf("events: got %d, want %d", got, eventsBefore)
	}
	if got := pdfFiles(t, root); len(got) != len(filesBefore) {
		t.Errorf("files: got %v, want %v", got, filesBefore)
	}
	if strings.Contains(bob.browser.get("/documents").body, "ada.pdf") {
		t.Error("bob sees ada's document")
	}
}
