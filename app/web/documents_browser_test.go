//go:build browser

package web_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"folio/app/documents/pdftest"
)

// newDocumentBrowser is newBrowser on a server that keeps documents in a folder of the
// test's own.
func newDocumentBrowser(t *testing.T) (*browser, string) {
	t.Helper()
	server, root := newDocumentServer(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.server.App().Listener(listener) }()
	t.Cleanup(func() { _ = server.server.App().ShutdownWithTimeout(5 * time.Second) })

	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (apt-get install -y chromium): %v", err)
	}
	options := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), options...)
	t.Cleanup(cancelAllocator)
	ctx, cancel := chromedp.NewContext(allocator)
	t.Cleanup(cancel)

	b := &browser{t: t, ctx: ctx, baseURL: "http://" + listener.Addr().String()}
	messages := chromedp.Console(ctx)
	go func() {
		for message, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.messages = append(b.messages, message)
			b.mu.Unlock()
		}
	}()
	return b, root
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
