//go:build browser

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"folio/app/documents/pdftest"
)

// selectByText picks, in the select matching selector, the option whose text
// starts with text, and announces the change as a user's choice would.
const selectByText = `((selector, text) => {
  const select = document.querySelector(selector);
  const option = [...select.options].find(o => o.textContent.trim().startsWith(text));
  select.value = option.value;
  select.dispatchEvent(new Event('change', {bubbles: true}));
  return option.value;
})`

// TestBrowserImportStatementAndAttachReceipt uploads a bank's CSV, maps a
// column, previews, imports, and attaches a PDF receipt to an imported
// transaction, all in real Chromium.
func TestBrowserImportStatementAndAttachReceipt(t *testing.T) {
	b, _ := newDocumentBrowser(t)
	b.acceptDialogs()
	b.register("importer@example.com", testPassword)
	folder := t.TempDir()
	statement := filepath.Join(folder, "umsaetze.csv")
	csv := "Buchungstag;Verwendungszweck;Betrag\n" +
		"15.01.2026;Bäckerei Müller;-4,50\n" +
		"16.01.2026;Gehalt ACME;2500,00\n" +
		"17.01.2026;Supermarkt Nord;-32,10\n"
	if err := os.WriteFile(statement, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	receipt := filepath.Join(folder, "Bakery receipt.pdf")
	if err := os.WriteFile(receipt, pdftest.Document("Bakery"), 0o600); err != nil {
		t.Fatal(err)
	}

	b.do("open the import page", chromedp.Navigate(b.baseURL+"/imports"),
		chromedp.WaitVisible(chromedp.CSS("#import-form")))
	b.evaluate("choose the bank account", selectByText+`('#import-account', 'Checking')`)
	b.do("choose the statement", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{statement}))
	b.waitFor("the preview lists the lines as new",
		`document.getElementById('import-preview').textContent.includes('Bäckerei Müller')`)
	b.waitFor("the mapping screen shows the file's columns", `document.getElementById('m-mapping_payee') !== null`)

	b.evaluate("map the payee column", selectByText+`('#m-mapping_payee', 'Verwendungszweck')`)
	b.waitFor("the preview shows the mapped payee",
		`[...document.querySelectorAll('#import-preview tbody tr')].some(row => row.cells[4] && row.cells[4].textContent.includes('Supermarkt Nord'))`)
	if preview := b.text("#import-preview"); strings.Contains(preview, "cannot import") {
		t.Fatalf("the preview refuses lines: %q", preview)
	}

	// Importing leads to the import's own page, which offers to undo it.
	b.do("import", chromedp.Click(chromedp.CSS(`#import-form button[formaction="/imports"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/undo"] button`)))
	if facts := b.text("dl.facts"); !strings.Contains(facts, "umsaetze.csv") {
		t.Errorf("the import's page: got %q", facts)
	}
	if transactions := b.text("main"); !strings.Contains(transactions, "Gehalt ACME") ||
		!strings.Contains(transactions, "Supermarkt Nord") {
		t.Errorf("the import's transactions: got %q", transactions)
	}

	b.do("upload the receipt",
		chromedp.Navigate(b.baseURL+"/documents"),
		chromedp.WaitVisible(chromedp.CSS("[data-drop-hint]")),
		chromedp.SetUploadFiles(chromedp.CSS("#document-files"), []string{receipt}),
		chromedp.Click(chromedp.CSS(`form[data-document-upload] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#documents-list a[href$="?download=1"]`)),
	)
	b.do("find the imported purchase", chromedp.Navigate(b.baseURL+"/transactions?q=B%C3%A4ckerei"),
		chromedp.WaitVisible(chromedp.CSS(`#journal tbody.journal-entry a[href^="/transactions/"]`)))
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	detail, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector('#journal tbody.journal-entry a[href^="/transactions/"]:not([href$="/edit"]):not([href$="/void"])').getAttribute('href')`))
	if err != nil {
		t.Fatalf("read the transaction's address: %v", err)
	}
	b.do("open it", chromedp.Navigate(b.baseURL+detail))
	b.waitFor("the documents panel offers the receipt", `document.getElementById('attach-document') !== null`)
	b.evaluate("choose the receipt", selectByText+`('#attach-document', 'Bakery receipt.pdf')`)
	// Attaching swaps the panel with htmx, or, when the click beats htmx's
	// start, submits the form and comes back: either way the panel lists it.
	b.do("attach it", chromedp.Click(chromedp.CSS(`#transaction-documents button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#transaction-documents .attached-documents")))
	if attached := b.text("#transaction-documents .attached-documents"); !strings.Contains(attached, "Bakery receipt.pdf") {
		t.Errorf("attached documents: got %q", attached)
	}
	b.screenshot("statement imported and receipt attached")
	b.assertCleanConsole()
}
