package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"folio/app/documents"
	"folio/app/documents/pdftest"
	"folio/app/web"
)

// newDocumentServer is a test server that keeps documents in a folder of the test's own.
func newDocumentServer(t *testing.T, options ...serverOption) (*testServer, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "uploads")
	options = append([]serverOption{func(deps *web.Deps) {
		deps.Config.UploadFolder = root
		deps.Config.DocumentQuotaBytes = 64 << 20
	}}, options...)
	return newTestServer(t, options...), root
}

// formPart is one part of a multipart form. disposition, when set, is sent as the part's
// Content-Disposition exactly.
type formPart struct {
	field, filename, disposition string
	content                      []byte
}

func multipartForm(t *testing.T, parts ...formPart) (contentType string, body []byte) {
	t.Helper()
	var buffer bytes.Buffer
	writer := multipart.NewWriter(&buffer)
	for _, part := range parts {
		header := textproto.MIMEHeader{}
		disposition := part.disposition
		if disposition == "" {
			disposition = fmt.Sprintf(`form-data; name=%q`, part.field)
			if part.filename != "" {
				disposition += fmt.Sprintf(`; filename=%q`, part.filename)
			}
		}
		header.Set("Content-Disposition", disposition)
		if part.filename != "" || part.disposition != "" {
			header.Set("Content-Type", "application/pdf")
		}
		w, err := writer.CreatePart(header)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(part.content)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	return writer.FormDataContentType(), buffer.Bytes()
}

// upload sends one file to POST /api/v1/documents with the user's token.
func (u *apiUser) upload(filename string, content []byte) response {
	u.t.Helper()
	return u.uploadParts(formPart{field: "file", filename: filename, content: content})
}

func (u *apiUser) uploadParts(parts ...formPart) response {
	u.t.Helper()
	contentType, body := multipartForm(u.t, parts...)
	request := httptest.NewRequest(http.MethodPost, "/api/v1/documents", bytes.NewReader(body))
	request.Header.Set("Content-Type", contentType)
	request.Header.Set("Authorization", "Bearer "+u.token)
	return u.ts.client().do(request)
}

// uploaded uploads a file, wants status and returns the document's id.
func (u *apiUser) uploaded(filename string, content []byte, status int) string {
	u.t.Helper()
	got := u.upload(filename, content)
	wantStatus(u.t, got, status)
	var created map[string]any
	decode(u.t, got, &created)
	if len(created) != 3 || created["sha256"] != digestOf(content) ||
		created["size"] != float64(len(content)) {
		u.t.Fatalf("uploaded: got %v, want id, sha256 %s and size %d", created, digestOf(content),
			len(content))
	}
	return created["id"].(string)
}

func digestOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// storedFiles lists the files under root, relative to it, with their permissions; folders
// are listed with a trailing slash.
func storedFiles(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	found := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if os.IsNotExist(err) && path == root {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(root, path)
		if entry.IsDir() {
			relative += "/"
		}
		found[relative] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// pdfFiles lists the files under root that are not folders.
func pdfFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	for path := range storedFiles(t, root) {
		if !strings.HasSuffix(path, "/") {
			files = append(files, path)
		}
	}
	sort.Strings(files)
	return files
}

func storedPath(u *apiUser, content []byte) string {
	return filepath.Join("users", u.ts.userID(u.email).String(), "pdfs", digestOf(content)+".pdf")
}

func (u *apiUser) documentEvents(eventType string) int {
	u.t.Helper()
	return u.ts.count(`SELECT count(*) FROM events WHERE user_id = $1 AND event_type = $2`,
		u.ts.userID(u.email), eventType)
}

func TestAPIDocumentUploadListDownloadDelete(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	receipt := pdftest.Document("Receipt 2026-01")

	id := ada.uploaded("Receipt 2026-01.pdf", receipt, http.StatusCreated)

	// Stored under its digest, readable by the server's user only.
	userFolder := filepath.Join("users", ts.userID("ada@example.org").String())
	want := map[string]fs.FileMode{"./": 0o700, "users/": 0o700, userFolder + "/": 0o700,
		filepath.Join(userFolder, "pdfs") + "/": 0o700, storedPath(ada, receipt): 0o600}
	if got := storedFiles(t, root); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("files: got %v, want %v", got, want)
	}

	list := ada.object(http.MethodGet, "/api/v1/documents", nil, http.StatusOK)
	documentsList := list["documents"].([]any)
	if len(documentsList) != 1 || list["used_bytes"] != float64(len(receipt)) ||
		list["quota_bytes"] != float64(64<<20) {
		t.Fatalf("list: got %v", list)
	}
	listed := documentsList[0].(map[string]any)
	if listed["id"] != id || listed["name"] != "Receipt 2026-01.pdf" || listed["sha256"] != digestOf(receipt) ||
		listed["added_at"] == "" || len(listed["transaction_ids"].([]any)) != 0 {
		t.Errorf("listed document: got %v", listed)
	}

	got := ada.call(http.MethodGet, "/api/v1/documents/"+id, nil)
	wantStatus(t, got, http.StatusOK)
	if got.body != string(receipt) {
		t.Errorf("download: got %d bytes, want the file's %d", len(got.body), len(receipt))
	}
	wantHeaders := map[string]string{
		"Content-Type":            "application/pdf",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox",
		"Content-Disposition":     `inline; filename="Receipt 2026-01.pdf"; filename*=UTF-8''Receipt%202026-01.pdf`,
	}
	for name, value := range wantHeaders {
		if got.header.Get(name) != value {
			t.Errorf("%s: got %q, want %q", name, got.header.Get(name), value)
		}
	}
	download := ada.call(http.MethodGet, "/api/v1/documents/"+id+"?download=1", nil)
	if disposition := download.header.Get("Content-Disposition"); !strings.HasPrefix(disposition, "attachment; ") {
		t.Errorf("download disposition: got %q", disposition)
	}

	wantStatus(t, ada.call(http.MethodDelete, "/api/v1/documents/"+id, nil), http.StatusNoContent)
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files after delete: got %v", files)
	}
	wantAPIError(t, ada.call(http.MethodGet, "/api/v1/documents/"+id, nil), http.StatusNotFound, "not_found")
	wantAPIError(t, ada.call(http.MethodDelete, "/api/v1/documents/"+id, nil), http.StatusNotFound, "not_found")
	if added, removed := ada.documentEvents("DocumentAdded"), ada.documentEvents("DocumentRemoved"); added != 1 || removed != 1 {
		t.Errorf("events: got %d added and %d removed, want 1 and 1: the history keeps both", added, removed)
	}
}

func TestAPIDocumentUploadRefusesWhatIsNotAPDF(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 4096)...)
	tests := []struct {
		name    string
		content []byte
	}{
		{"PNG named .pdf", png},
		{"HTML named .pdf", []byte("<!doctype html><script>alert(document.cookie)</script>")},
		{"HTML behind a PDF header", []byte("%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n")},
		{"a PDF cut short", pdftest.Document("Receipt")[:300]},
		{"empty", nil},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			wantAPIError(t, ada.upload("receipt.pdf", test.content), http.StatusUnsupportedMediaType, "not_pdf")
		})
	}
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
	if added := ada.documentEvents("DocumentAdded"); added != 0 {
		t.Errorf("documents recorded: %d", added)
	}

	// Not a form at all, or a form without a file.
	got := ada.ts.client().do(withBearer(ada.token, http.MethodPost, "/api/v1/documents", "application/pdf",
		string(pdftest.Document("x"))))
	wantAPIError(t, got, http.StatusUnsupportedMediaType, "unsupported_media_type")
	wantAPIError(t, ada.uploadParts(formPart{field: "note", content: []byte("hello")}),
		http.StatusUnprocessableEntity, "invalid")
	wantAPIError(t, ada.uploadParts(
		formPart{field: "file", filename: "a.pdf", content: pdftest.Document("a")},
		formPart{field: "file", filename: "b.pdf", content: pdftest.Document("b")}),
		http.StatusBadRequest, "one_file")
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestAPIDocumentUploadSizeLimit(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")

	largest := pdftest.Padded("Scan", documents.FileSizeBytesMax)
	ada.uploaded("scan.pdf", largest, http.StatusCreated)

	tooLarge := pdftest.Padded("Scan", documents.FileSizeBytesMax+1)
	wantAPIError(t, ada.upload("larger.pdf", tooLarge), http.StatusRequestEntityTooLarge, "too_large")
	if files := pdfFiles(t, root); len(files) != 1 || files[0] != storedPath(ada, largest) {
		t.Errorf("files: got %v, want only the first upload", files)
	}
}

func TestAPIDocumentDuplicateIsStoredOnce(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	invoice := pdftest.Document("Invoice 17")

	first := ada.uploaded("invoice.pdf", invoice, http.StatusCreated)
	again := ada.uploaded("invoice (copy).pdf", invoice, http.StatusOK)

	if again != first {
		t.Errorf("the same file again: got id %s, want %s", again, first)
	}
	if files := pdfFiles(t, root); len(files) != 1 {
		t.Errorf("files: got %v, want one", files)
	}
	if added := ada.documentEvents("DocumentAdded"); added != 1 {
		t.Errorf("documents recorded: got %d, want 1", added)
	}

	// Another user's identical file is theirs, stored in their own folder.
	bob := newAPIUser(t, ts, "bob@example.org")
	if id := bob.uploaded("invoice.pdf", invoice, http.StatusCreated); id == first {
		t.Error("bob got ada's document")
	}
	if files := pdfFiles(t, root); len(files) != 2 {
		t.Errorf("files: got %v, want one each", files)
	}
}

func TestAPIDocumentQuota(t *testing.T) {
	t.Parallel()
	small := pdftest.Document("Receipt")
	ts, root := newDocumentServer(t, func(deps *web.Deps) {
		deps.Config.DocumentQuotaBytes = int64(len(small)) + 1000
	})
	ada := newAPIUser(t, ts, "ada@example.org")
	ada.uploaded("receipt.pdf", small, http.StatusCreated)

	wantAPIError(t, ada.upload("big.pdf", pdftest.Padded("Big", 1001)), http.StatusRequestEntityTooLarge,
		"quota_exceeded")
	if files := pdfFiles(t, root); len(files) != 1 {
		t.Errorf("files: got %v, want only the first", files)
	}
	ada.uploaded("fits.pdf", pdftest.Padded("Fits", 1000), http.StatusCreated)
}

func TestAPIDocumentHostileFilenames(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	long := strings.Repeat("ü", 1000) + ".pdf"
	tests := []struct {
		name        string
		disposition string
		wantName    string
	}{
		{"parent folders", `form-data; name="file"; filename="../../etc/passwd.pdf"`, "passwd.pdf"},
		{"backslashes", `form-data; name="file"; filename="..\\..\\boot.ini.pdf"`, "boot.ini.pdf"},
		{"quotes", `form-data; name="file"; filename*=UTF-8''a%22b%22%3B%20c.pdf`, `a"b"; c.pdf`},
		{"line breaks", `form-data; name="file"; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1.pdf`, "evil Set-Cookie: x=1.pdf"},
		{"right-to-left override", `form-data; name="file"; filename*=UTF-8''bill%E2%80%AEfdp.exe`, "billfdp.exe.pdf"},
		{"very long", `form-data; name="file"; filename*=UTF-8''` + url.PathEscape(long), strings.Repeat("ü", 196) + ".pdf"},
	}
	for i, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			content := pdftest.Document(fmt.Sprintf("hostile %d", i))
			got := ada.uploadParts(formPart{disposition: test.disposition, content: content})
			wantStatus(t, got, http.StatusCreated)
			var created map[string]any
			decode(t, got, &created)
			id := created["id"].(string)

			file := ada.call(http.MethodGet, "/api/v1/documents/"+id, nil)
			disposition := file.header.Get("Content-Disposition")
			if strings.ContainsAny(disposition, "\r\n") || strings.Count(disposition, `"`) != 2 {
				t.Errorf("Content-Disposition not escaped: %q", disposition)
			}
			_, params, err := mime.ParseMediaType(disposition)
			if err != nil || params["filename"] != test.wantName {
				t.Errorf("Content-Disposition %q: got name %q (%v), want %q", disposition,
					params["filename"], err, test.wantName)
			}
			if _, err := os.Stat(filepath.Join(root, storedPath(ada, content))); err != nil {
				t.Errorf("not stored under its digest: %v", err)
			}
		})
	}
	for _, path := range pdfFiles(t, root) {
		if !strings.HasPrefix(path, filepath.Join("users", ts.userID("ada@example.org").String(), "pdfs")+"/") {
			t.Errorf("a file outside the user's folder: %s", path)
		}
	}
}

func TestAPIDocumentAttachDetach(t *testing.T) {
	t.Parallel()
	ts, _ := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	txn := ada.record("2026-01-31", "Weekly shop", "21.60")
	voided := ada.record("2026-02-01", "Mistake", "1")
	ada.object(http.MethodPost, "/api/v1/transactions/"+voided+"/void", map[string]any{}, http.StatusOK)
	document := ada.uploaded("receipt.pdf", pdftest.Document("Receipt"), http.StatusCreated)
	path := "/api/v1/transactions/" + txn + "/documents"

	attached := ada.object(http.MethodPost, path, map[string]string{"document_id": document}, http.StatusCreated)
	if attached["transaction_id"] != txn || attached["document_id"] != document {
		t.Errorf("attached: got %v", attached)
	}
	ada.object(http.MethodPost, path, map[string]string{"document_id": document}, http.StatusOK)

	listed := ada.object(http.MethodGet, path, nil, http.StatusOK)["documents"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["id"] != document {
		t.Errorf("documents of the transaction: got %v", listed)
	}
	all := ada.object(http.MethodGet, "/api/v1/documents", nil, http.StatusOK)["documents"].([]any)
	if ids := all[0].(map[string]any)["transaction_ids"].([]any); len(ids) != 1 || ids[0] != txn {
		t.Errorf("transactions of the document: got %v", ids)
	}

	wantAPIError(t, ada.call(http.MethodPost, "/api/v1/transactions/"+voided+"/documents",
		map[string]string{"document_id": document}), http.StatusConflict, "conflict")
	wantAPIError(t, ada.call(http.MethodPost, path, map[string]string{"document_id": madeUpID}),
		http.StatusNotFound, "not_found")
	wantAPIError(t, ada.call(http.MethodPost, path, map[string]string{"document_id": "../x"}),
		http.StatusNotFound, "not_found")
	wantAPIError(t, ada.call(http.MethodPost, path, map[string]string{}),
		http.StatusUnprocessableEntity, "invalid")
	wantAPIError(t, ada.call(http.MethodPost, "/api/v1/transactions/"+madeUpID+"/documents",
		map[string]string{"document_id": document}), http.StatusNotFound, "not_found")

	wantStatus(t, ada.call(http.MethodDelete, path+"/"+document, nil), http.StatusNoContent)
	if listed := ada.object(http.MethodGet, path, nil, http.StatusOK)["documents"].([]any); len(listed) != 0 {
		t.Errorf("after detaching: got %v", listed)
	}

	// Deleting an attached document detaches it first.
	ada.object(http.MethodPost, path, map[string]string{"document_id": document}, http.StatusCreated)
	wantStatus(t, ada.call(http.MethodDelete, "/api/v1/documents/"+document, nil), http.StatusNoContent)
	if listed := ada.object(http.MethodGet, path, nil, http.StatusOK)["documents"].([]any); len(listed) != 0 {
		t.Errorf("after deleting the document: got %v", listed)
	}
	if detached := ada.documentEvents("DocumentDetached"); detached != 2 {
		t.Errorf("detachments recorded: got %d, want 2", detached)
	}
}

func TestAPIDocumentIsolation(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	adaTxn := ada.record("2026-01-31", "Ada's shop", "5")
	adaDocument := ada.uploaded("ada.pdf", pdftest.Document("Ada"), http.StatusCreated)
	ada.object(http.MethodPost, "/api/v1/transactions/"+adaTxn+"/documents",
		map[string]string{"document_id": adaDocument}, http.StatusCreated)
	bobTxn := bob.record("2026-01-31", "Bob's shop", "5")
	bobDocument := bob.uploaded("bob.pdf", pdftest.Document("Bob"), http.StatusCreated)
	eventsBefore, filesBefore := ts.count(`SELECT count(*) FROM events`), pdfFiles(t, root)

	requests := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/documents/%s", nil},
		{http.MethodDelete, "/api/v1/documents/%s", nil},
		{http.MethodPost, "/api/v1/transactions/" + bobTxn + "/documents", map[string]string{"document_id": "%s"}},
		{http.MethodDelete, "/api/v1/transactions/" + bobTxn + "/documents/%s", nil},
	}
	for _, request := range requests {
		foreign := bob.call(request.method, strings.ReplaceAll(request.path, "%s", adaDocument),
			replaceID(request.body, adaDocument))
		madeUp := bob.call(request.method, strings.ReplaceAll(request.path, "%s", madeUpID),
			replaceID(request.body, madeUpID))
		wantAPIError(t, foreign, http.StatusNotFound, "not_found")
		if foreign.body != madeUp.body || foreign.status != madeUp.status {
			t.Errorf("%s %s: a foreign id answers %d %s, a made-up one %d %s", request.method,
				request.path, foreign.status, foreign.body, madeUp.status, madeUp.body)
		}
	}
	// Ada's transaction, with Bob's own document.
	transactionRequests := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/transactions/%s/documents", nil},
		{http.MethodPost, "/api/v1/transactions/%s/documents", map[string]string{"document_id": bobDocument}},
		{http.MethodDelete, "/api/v1/transactions/%s/documents/" + bobDocument, nil},
	}
	for _, request := range transactionRequests {
		foreign := bob.call(request.method, strings.ReplaceAll(request.path, "%s", adaTxn), request.body)
		madeUp := bob.call(request.method, strings.ReplaceAll(request.path, "%s", madeUpID), request.body)
		wantAPIError(t, foreign, http.StatusNotFound, "not_found")
		if foreign.body != madeUp.body {
			t.Errorf("%s %s: a foreign id answers %s, a made-up one %s", request.method, request.path,
				foreign.body, madeUp.body)
		}
	}

	if got := ts.count(`SELECT count(*) FROM events`); got != eventsBefore {
		t.Errorf("events: got %d, want %d: something changed", got, eventsBefore)
	}
	if got := pdfFiles(t, root); fmt.Sprint(got) != fmt.Sprint(filesBefore) {
		t.Errorf("files: got %v, want %v", got, filesBefore)
	}
	listed := bob.object(http.MethodGet, "/api/v1/documents", nil, http.StatusOK)["documents"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["id"] != bobDocument {
		t.Errorf("bob's list: got %v", listed)
	}
}

func replaceID(body any, id string) any {
	fields, ok := body.(map[string]string)
	if !ok {
		return body
	}
	replaced := map[string]string{}
	for name, value := range fields {
		replaced[name] = strings.ReplaceAll(value, "%s", id)
	}
	return replaced
}

func TestAPIDocumentUploadWithSessionNeedsTheCSRFHeader(t *testing.T) {
	t.Parallel()
	ts, root := newDocumentServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/documents")
	contentType, body := multipartForm(t, formPart{field: "file", filename: "a.pdf", content: pdftest.Document("a")})
	send := func(header map[string]string) response {
		request := httptest.NewRequest(http.MethodPost, "/api/v1/documents", bytes.NewReader(body))
		request.Header.Set("Content-Type", contentType)
		for name, value := range header {
			request.Header.Set(name, value)
		}
		return browser.do(request)
	}

	wantAPIError(t, send(nil), http.StatusForbidden, "csrf_failed")
	wantAPIError(t, send(map[string]string{"X-CSRF-Token": "forged"}), http.StatusForbidden, "csrf_failed")
	if files := pdfFiles(t, root); len(files) != 0 {
		t.Errorf("files after refusals: %v", files)
	}
	wantStatus(t, send(map[string]string{"X-CSRF-Token": browser.csrf}), http.StatusCreated)

	// Without a session, the API answers 401 before reading the form.
	anonymous := httptest.NewRequest(http.MethodPost, "/api/v1/documents", bytes.NewReader(body))
	anonymous.Header.Set("Content-Type", contentType)
	wantAPIError(t, ts.client().do(anonymous), http.StatusUnauthorized, "unauthorized")
}

// listeningDocumentServer serves a document server on a loopback port, so that tests can
// send bodies that app.Test cannot: chunked, or with a Content-Length that lies.
func listeningDocumentServer(t *testing.T) (*testServer, string, string) {
	t.Helper()
	addr := freeAddr(t)
	ts, root := newDocumentServer(t, func(deps *web.Deps) { deps.Config.Addr = addr })
	ctx, cancel := context.WithCancel(context.Background())
	listened := make(chan error, 1)
	go func() { listened <- ts.server.Listen(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-listened
	})
	waitUntilServing(t, "http://"+addr+"/healthz")
	return ts, root, addr
}

// rawExchange writes request to the server as it is, optionally closes the sending side,
// and reads one response.
func rawExchange(t *testing.T, addr string, request []byte, closeWrite bool) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := conn.Write(request); err != nil {
		t.Fatalf("write: %v", err)
	}
	if closeWrite {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	response, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, _ := io.ReadAll(response.Body)
	_ = response.Body.Close()
	return response, string(body)
}

func TestAPIDocumentUploadChunkedAndLyingBodies(t *testing.T) {
	t.Parallel()
	ts, root, addr := listeningDocumentServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	base := "http://" + addr

	chunked := func(path, contentType string, body io.Reader) (int, string) {
		t.Helper()
		request, err := http.NewRequest(http.MethodPost, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		request.ContentLength = -1 // chunked
		request.Header.Set("Content-Type", contentType)
		request.Header.Set("Authorization", "Bearer "+ada.token)
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			t.Fatalf("chunked %s: %v", path, err)
		}
		defer response.Body.Close()
		text, _ := io.ReadAll(response.Body)
		return response.StatusCode, string(text)
	}

	small := pdftest.Document("Chunked")
	contentType, body := multipartForm(t, formPart{field: "file", filename: "chunked.pdf", content: small})
	if status, text := chunked("/api/v1/documents", contentType, bytes.NewReader(body)); status != http.StatusCreated {
		t.Errorf("chunked upload: got %d %s, want 201", status, text)
	}

	contentType, body = multipartForm(t, formPart{field: "file", filename: "big.pdf",
		content: pdftest.Padded("Big", documents.FileSizeBytesMax+1)})
	if status, text := chunked("/api/v1/documents", contentType, bytes.NewReader(body)); status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(text, "too_large") {
		t.Errorf("chunked upload over the limit: got %d %s, want 413", status, text)
	}

	// Other routes keep the 1 MiB limit, chunked or not.
	if status, text := chunked("/api/v1/accounts", "application/json", io.MultiReader(strings.NewReader(`{"name":"`),
		strings.NewReader(strings.Repeat("x", 2<<20)))); status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 2 MiB of JSON: got %d %s, want 413", status, text)
	}

	head := func(contentLength int) string {
		return fmt.Sprintf("POST /api/v1/documents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", addr, ada.token, contentType, contentLength)
	}
	contentType, body = multipartForm(t, formPart{field: "file", filename: "lies.pdf", content: pdftest.Padded("Lies", 50_000)})

	// A Content-Length over the route's limit is refused after the first bytes of the body,
	// without waiting for the rest.
	response, text := rawExchange(t, addr, append([]byte(head(64<<20)), bytes.Repeat([]byte("x"), 16<<10)...), false)
	if response.StatusCode != http.StatusRequestEntityTooLarge || !response.Close {
		t.Errorf("declared 64 MiB: got %d (close %v) %s, want 413 and close", response.StatusCode, response.Close, text)
	}
	// A Content-Length shorter than the body cuts the form short.
	response, text = rawExchange(t, addr, append([]byte(head(len(body)/2)), body...), false)
	if response.StatusCode != http.StatusBadRequest || !response.Close {
		t.Errorf("short Content-Length: got %d (close %v) %s, want 400 and close", response.StatusCode, response.Close, text)
	}
	// A Content-Length longer than what comes: the client stops sending in the middle.
	response, text = rawExchange(t, addr, append([]byte(head(len(body))), body[:len(body)/2]...), true)
	if response.StatusCode != http.StatusBadRequest {
		t.Errorf("body broken off: got %d %s, want 400", response.StatusCode, text)
	}

	if files := pdfFiles(t, root); len(files) != 1 || files[0] != storedPath(ada, small) {
		t.Errorf("files: got %v, want only the chunked upload", files)
	}
}
