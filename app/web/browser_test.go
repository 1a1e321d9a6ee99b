//go:build browser

package web_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser tests drive real headless Chromium against the app on loopback.
// They run with `go test -tags browser -run Browser ./app/web/`; .ci/run
// installs Debian's chromium first. They fail, never skip, without one.

// browserStepTimeout bounds every group of steps, so a missing element fails
// the test instead of hanging it.
const browserStepTimeout = 20 * time.Second

type browser struct {
	t        *testing.T
	ctx      context.Context
	baseURL  string
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// newBrowser serves the app on a loopback port and opens a fresh headless
// Chromium profile on it, recording every console message.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserOn(t, newTestServer(t))
}

// newBrowserOn is newBrowser on a server the test set up itself.
func newBrowserOn(t *testing.T, server *testServer) *browser {
	t.Helper()
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
	return b
}

// do runs steps with a timeout, failing the test with what was being done,
// and then waits for htmx to settle: content htmx has just swapped in is
// wired up only when it settles, and a click on it before then would be
// the browser's own (a full page load or a native form post).
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot(what)
		b.t.Fatalf("%s: %v", what, err)
	}
	b.waitFor(what+", and htmx settles", htmxSettled)
}

// text returns the text of the first element matching selector.
func (b *browser) text(selector string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("read %s: %v", selector, err)
	}
	return text
}

// location returns the page's URL.
func (b *browser) location() string {
	b.t.Helper()
	location, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return location
}

// pageLoads counts full page loads; a fragment swap leaves it unchanged.
// The marker lives on window, which a full load resets.
func (b *browser) markPage() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__folioSamePage = true`)); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) samePage() bool {
	b.t.Helper()
	same, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__folioSamePage === true`))
	if err != nil {
		b.t.Fatal(err)
	}
	return same
}

func (b *browser) screenshot(name string) {
	directory := os.Getenv("FOLIO_BROWSER_SCREENSHOTS")
	if directory == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		_ = os.WriteFile(directory+"/"+strings.ReplaceAll(name, " ", "_")+".png", png, 0o644)
	}
}

// assertCleanConsole fails on any error, exception or CSP violation the
// browser reported.
func (b *browser) assertCleanConsole() {
	b.t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last messages arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, message := range b.messages {
		violation := strings.Contains(message.Text, "Content Security Policy") || strings.Contains(message.Text, "Refused to")
		if message.IsException() || message.Type == "error" || violation {
			b.t.Errorf("console %s: %s (%s:%d)", message.Type, message.Text, message.URL, message.Line)
		}
	}
}

func (b *browser) register(email, password string) {
	b.t.Helper()
	b.do("register",
		chromedp.Navigate(b.baseURL+"/register"),
		chromedp.SendKeys(chromedp.CSS("#register-email"), email),
		chromedp.SendKeys(chromedp.CSS("#register-password"), password),
		chromedp.Submit(chromedp.CSS("#register-form")),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
	)
}

func (b *browser) logOut() {
	b.t.Helper()
	b.do("log out",
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="password"]`)),
	)
}

func (b *browser) logIn(email, password string) {
	b.t.Helper()
	b.do("log in",
		chromedp.Navigate(b.baseURL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
	)
}

func TestBrowserSignInFlow(t *testing.T) {
	b := newBrowser(t)
	b.register("browser@example.com", testPassword)
	b.logOut()
	b.logIn("browser@example.com", testPassword)
	if location := b.location(); !strings.HasSuffix(location, "/") {
		t.Errorf("after login the browser is at %s, want the dashboard", location)
	}
	b.logOut()
	b.assertCleanConsole()
}

// waitFor polls a JavaScript expression until it is true.
func (b *browser) waitFor(what, expression string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expression))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Poll[bool](htmxSettled))
		}
		if err == nil {
			return
		}
		if isLostContext(err) && ctx.Err() == nil {
			// A confirm dialog or an htmx swap can retire the JavaScript
			// context the poll was bound to; polling again binds a new one.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		b.screenshot(what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// htmxSettled is true once htmx has finished every request, swap and
// settle: new content carries htmx-added until htmx has wired it up, and a
// click before then would follow the plain link instead.
const htmxSettled = `document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added') === null`

// isLostContext reports DevTools' answer for an evaluation whose
// execution context went away while it ran.
func isLostContext(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed")
}

// evaluate runs JavaScript through DevTools, as a user's typing would
// change the page; DevTools is not bound by the page's CSP.
func (b *browser) evaluate(what, expression string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](expression)); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// acceptDialogs answers every confirm() with OK, as a user confirming.
func (b *browser) acceptDialogs() {
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// fillEntry fills an entry form's date, description and posting rows.
// Accounts are chosen by the text of their option, as a user picks them.
const fillEntry = `((formSelector, description, postings) => {
  const form = document.querySelector(formSelector);
  form.querySelector('[name=date]').value = '2026-01-15';
  form.querySelector('[name=description]').value = description;
  const rows = form.querySelectorAll('.posting-row');
  postings.forEach(([account, amount], i) => {
    const select = rows[i].querySelector('select[name=account]');
    const option = [...select.options].find(o => o.textContent.trim().startsWith(account));
    select.value = option.value;
    rows[i].querySelector('[name=amount]').value = amount;
  });
  rows[0].querySelector('[name=amount]').dispatchEvent(new Event('input', {bubbles: true}));
  return rows.length;
})`

func TestBrowserBookkeepingFlow(t *testing.T) {
	b := newBrowser(t)
	b.acceptDialogs()
	b.register("keeper@example.com", testPassword)

	b.do("open an account",
		chromedp.Navigate(b.baseURL+"/accounts"),
		chromedp.SendKeys(chromedp.CSS("#account-name"), "Travel Card"),
		chromedp.SetValue(chromedp.CSS("#account-type"), "liability"),
		chromedp.SendKeys(chromedp.CSS("#account-currency"), "EUR"),
		chromedp.Click(chromedp.CSS("#open-account-form button[type=submit]")),
	)
	b.waitFor("the new account is listed", `document.getElementById('accounts').textContent.includes('Travel Card')`)

	b.do("open the transactions", chromedp.Navigate(b.baseURL+"/transactions"),
		chromedp.WaitVisible(chromedp.CSS("#new-entry-form")))
	b.markPage()
	b.evaluate("fill a three-posting entry", fillEntry+`('#new-entry-form', 'Weekend groceries',
		[['Groceries', '20.00'], ['Eating Out', '10.00'], ['Travel Card', '-30.00']])`)
	b.waitFor("the live check says balanced", `document.querySelector('#new-entry-form .balance-check').textContent.toLowerCase().includes('balanced')`)
	b.do("record it", chromedp.Click(chromedp.CSS("#new-entry-form button[type=submit]")))
	b.waitFor("the entry appears in the journal", `document.getElementById('journal').textContent.includes('Weekend groceries')`)
	b.waitFor("the balances show the card's debt", `document.getElementById('balances').textContent.includes('-30.00')`)

	b.do("edit it inline", chromedp.Click(chromedp.CSS(`#journal tbody.journal-entry a[href$="/edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[id^="edit-"]`)))
	b.evaluate("amend the amounts", fillEntry+`('form[id^="edit-"]', 'Weekend groceries and wine',
		[['Groceries', '25.00'], ['Eating Out', '10.00'], ['Travel Card', '-35.00']])`)
	b.do("save the amendment", chromedp.Click(chromedp.CSS(`form[id^="edit-"] button[type=submit]`)))
	b.waitFor("the amended entry shows", `document.getElementById('journal').textContent.includes('Weekend groceries and wine')`)
	b.waitFor("the balances follow the amendment", `document.getElementById('balances').textContent.includes('-35.00')`)

	b.do("void it", chromedp.Click(chromedp.CSS(`#journal tbody.journal-entry a[href$="/void"]`)))
	b.waitFor("the entry is marked voided", `document.querySelector('#journal tbody.journal-entry.voided') !== null`)
	b.waitFor("the void takes the debt out of the balances", `!document.getElementById('balances').textContent.includes('-35.00')`)

	if !b.samePage() {
		t.Error("recording, amending or voiding reloaded the page")
	}
	b.screenshot("bookkeeping flow")
	b.logOut()
	b.assertCleanConsole()
}
