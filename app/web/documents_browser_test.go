//go:build browser

package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"folio/app/documents/pdftest"
)

// newDocumentBrowser is newBrowser on a server that keeps documents in a folder of the
// test's own.
func newDocumentBrowser(t *testing.T) (*browser, string) {
	t.Helper()
	server, root := newDocumentServer(t)
	return newBrowserOn(t, server), root
}

func TestBrowserDocumentUploadWithProgress(t *testing.T) {
	b, root := newDocumentBrowser(t)
	b.register("documents@example.com", testPassword)
	folder := t.TempDir()
	receipt, invoice := filepath.Join(folder, "Receipt March.pdf"), filepath.Join(folder, "Invoice 7.pdf")
	if err := os.WriteFile(receipt, pdftest.Document("Receipt"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(invoice, pdftest.Padded("Invoice", 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}

	b.do("upload two PDFs through the script",
		chromedp.Navigate(b.baseURL+"/documents"),
		chromedp.WaitVisible(chromedp.CSS("[data-drop-hint]")), // shown by the script
		chromedp.SetUploadFiles(chromedp.CSS("#document-files"), []string{receipt, invoice}),
		chromedp.Click(chromedp.CSS(`form[data-document-upload] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-upload-list] li.upload-ok + li.upload-ok")),
		chromedp.WaitVisible(chromedp.CSS(`#documents-list a[href$="?download=1"]`)),
	)
	if statuses := b.text("[data-upload-list]"); strings.Count(statuses, "stored") != 2 {
		t.Errorf("progress list: got %q, want two files stored", statuses)
	}
	if list := b.text("#documents-list"); !strings.Contains(list, "Receipt March.pdf") ||
		!strings.Contains(list, "Invoice 7.pdf") {
		t.Errorf("documents list after the upload: got %q", list)
	}
	b.screenshot("documents uploaded")
	if files := pdfFiles(t, root); len(files) != 2 {
		t.Errorf("files: got %v", files)
	}
	b.assertCleanConsole()
}
