package web_test

// ASVS V5 (files and request bodies) and the catalogue's §3 (upload attacks): explicit
// limits on what one request may hold and how slowly it may arrive, tested against a real
// listener. TestListenServesAndShutsDownGracefully covers a body over the limit; the
// documents and imports tests cover what those routes accept.

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"folio/app/documents/pdftest"
	"folio/app/web"
)

// serving starts ss's server on a real listener and returns its base URL; the server stops
// when the test ends.
func serving(t *testing.T, options ...serverOption) (*securityServer, string) {
	t.Helper()
	addr := freeAddr(t)
	options = append(options, func(deps *web.Deps) { deps.Config.Addr = addr })
	ss := newSecurityServer(t, options...)
	ctx, cancel := context.WithCancel(context.Background())
	listened := make(chan error, 1)
	go func() { listened <- ss.server.Listen(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-listened:
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop")
		}
	})
	base := "http://" + addr
	waitUntilServing(t, base+"/healthz")
	return ss, base
}

// rawRequest sends text on a new connection and returns the status line of the answer.
func rawRequest(t *testing.T, base, text string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(conn, text)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("read the answer to %.40q: %v", text, err)
	}
	return strings.TrimSpace(line)
}

// ASVS V5.2.1, V4.2.1, catalogue §3: bodies and headers over the limits are refused before
// they are read: a Content-Length that announces a gigabyte, a chunked body that lies about
// its end, headers over the read buffer, and a form of more parts than any route takes.
func TestSecurityV5RequestLimits(t *testing.T) {
	t.Parallel()
	_, base := serving(t)
	chunk := strings.Repeat("x", 64<<10)
	var chunked strings.Builder
	for range 40 { // 2.5 MiB in chunks
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", len(chunk), chunk)
	}

	tests := []struct {
		name string
		text string
		want string
	}{
		// The server reads the first 8 KiB of a streamed body before it looks at the request.
		{"a gigabyte announced", "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: " +
			"application/x-www-form-urlencoded\r\nContent-Length: 1073741824\r\n\r\nemail=" +
			strings.Repeat("x", 16<<10), "413"},
		{"a chunked body over the limit", "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n" +
			"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			chunked.String() + "0\r\n\r\n", "413"},
		{"headers over the buffer", "GET /login HTTP/1.1\r\nHost: x\r\nX-Pad: " +
			strings.Repeat("x", 20<<10) + "\r\n\r\n", "431"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			start := time.Now()
			line := rawRequest(t, base, test.text)
			if !strings.Contains(line, " "+test.want+" ") {
				t.Errorf("answer: got %q, want %s", line, test.want)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("answered after %s", elapsed)
			}
		})
	}
}

// Catalogue §3 (many small parts): a form of more parts than Go's multipart reader takes
// (1000) is never read, so no handler sees it (not even its valid CSRF token); the same
// form with a few parts reaches the handler.
func TestSecurityV5FormPartsLimited(t *testing.T) {
	t.Parallel()
	_, base := serving(t)
	cookies, token := browserSession(t, base)
	form := func(parts int) string {
		var body strings.Builder
		fmt.Fprintf(&body, "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n",
			token)
		for i := range parts - 1 {
			fmt.Fprintf(&body, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nx\r\n", i)
		}
		body.WriteString("--b--\r\n")
		return "POST /login HTTP/1.1\r\nHost: x\r\nCookie: " + cookies + "\r\nContent-Type: " +
			"multipart/form-data; boundary=b\r\nContent-Length: " + fmt.Sprint(body.Len()) +
			"\r\n\r\n" + body.String()
	}

	if line := rawRequest(t, base, form(10)); !strings.Contains(line, " 422 ") {
		t.Errorf("10 parts: got %q, want 422 (wrong credentials)", line)
	}
	line := rawRequest(t, base, form(1001))
	if !strings.Contains(line, " 400 ") && !strings.Contains(line, " 403 ") {
		t.Errorf("1001 parts: got %q, want 400 or 403 (the form is not read)", line)
	}
}

// browserSession opens the login page like a browser and returns the Cookie header and the
// CSRF token of its session.
func browserSession(t *testing.T, base string) (string, string) {
	t.Helper()
	page, err := http.Get(base + "/login")
	if err != nil {
		t.Fatalf("GET /login: %v", err)
	}
	body, _ := io.ReadAll(page.Body)
	_ = page.Body.Close()
	match := csrfInput.FindSubmatch(body)
	if match == nil {
		t.Fatalf("the login page has no CSRF token:\n%s", body)
	}
	var cookies []string
	for _, cookie := range page.Cookies() {
		cookies = append(cookies, cookie.Name+"="+cookie.Value)
	}
	return strings.Join(cookies, "; "), string(match[1])
}

// Catalogue §3 (slowloris, slow POST), ASVS V15.2.2, V2.4.1: 500 clients that trickle
// their headers or bodies byte by byte do not keep anybody else out: a sign-in still
// answers within seconds. And a client that trickles forever is cut off when the read
// timeout (15 s) ends, however steadily it sends.
func TestSecurityV5SlowClientsCannotHoldTheServer(t *testing.T) {
	t.Parallel()
	ss, base := serving(t)
	_, err := ss.users.Create(context.Background(), "ada@example.org", testPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(base, "http://")

	const slowClients = 500
	conns := make([]net.Conn, 0, slowClients)
	defer func() {
		for _, conn := range conns {
			_ = conn.Close()
		}
	}()
	for i := range slowClients {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		conns = append(conns, conn)
		start := "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: " +
			"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail="
		if i%2 == 0 {
			start = "GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: " // headers that never end
		}
		_, _ = io.WriteString(conn, start)
	}
	stop := make(chan struct{})
	var trickling sync.WaitGroup
	trickling.Add(1)
	go func() {
		defer trickling.Done()
		ticker := time.NewTicker(250 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				for _, conn := range conns {
					_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
					_, _ = conn.Write([]byte("a"))
				}
			}
		}
	}()
	time.Sleep(time.Second)

	start := time.Now()
	signIn(t, base, "ada@example.org", testPassword)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("a sign-in among %d slow clients took %s", slowClients, elapsed)
	}

	if testing.Short() {
		close(stop)
		trickling.Wait()
		return
	}
	// The trickling goes on; the first connection must be closed by the server within the
	// read timeout and a margin.
	closed := make(chan time.Duration, 1)
	began := time.Now()
	go func() {
		_ = conns[1].SetReadDeadline(time.Now().Add(30 * time.Second))
		_, _ = io.Copy(io.Discard, conns[1]) // returns when the server closes it
		closed <- time.Since(began)
	}()
	select {
	case after := <-closed:
		t.Logf("the server closed a trickling connection after %s", after.Round(time.Second))
	case <-time.After(25 * time.Second):
		t.Error("a connection trickling one byte every 250 ms was still open after 25 s")
	}
	close(stop)
	trickling.Wait()
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs in through a real HTTP client and fails the test unless it works.
func signIn(t *testing.T, base, email, password string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	httpClient := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	page, err := httpClient.Get(base + "/login")
	if err != nil {
		t.Fatalf("GET /login: %v", err)
	}
	body, _ := io.ReadAll(page.Body)
	_ = page.Body.Close()
	match := csrfInput.FindSubmatch(body)
	if match == nil {
		t.Fatalf("the login page has no CSRF token:\n%s", body)
	}

	got, err := httpClient.PostForm(base+"/login", url.Values{"_csrf": {string(match[1])},
		"email": {email}, "password": {password}})
	if err != nil {
		t.Fatalf("POST /login: %v", err)
	}
	_ = got.Body.Close()
	if got.StatusCode != http.StatusSeeOther || got.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: got %d to %q, want 303 to /", got.StatusCode,
			got.Header.Get("Location"))
	}
}

// Catalogue §3 (compression bomb), ASVS V5.2.1: a PDF whose cross-reference stream inflates
// to 256 MiB is refused as not a PDF, quickly and without inflating it all: the check stops
// at its own cap. It does not run in parallel, so that the memory it measures is its own.
func TestSecurityV5PDFCompressionBombRefused(t *testing.T) {
	root := filepath.Join(t.TempDir(), "uploads")
	ss := newSecurityServer(t, func(deps *web.Deps) { deps.Config.UploadFolder = root })
	if !hasRoute(routesOf(ss.testServer), http.MethodPost, "/api/v1/documents") {
		t.Skip("no document uploads yet")
	}
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.track(ada.browser)
	ss.secret(ada.token)
	bomb := pdfBomb(t, 256<<20)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	got := ada.upload("bomb.pdf", bomb)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	wantAPIError(t, got, http.StatusUnsupportedMediaType, "not_pdf")
	if elapsed > 5*time.Second {
		t.Errorf("refused after %s", elapsed)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 128<<20 {
		t.Errorf("the upload allocated %d MiB", allocated>>20)
	}
}

// pdfBomb returns a PDF with a cross-reference stream that inflates to size zero bytes.
func pdfBomb(t *testing.T, size int) []byte {
	t.Helper()
	document := pdftest.WithXRefStream("Receipt")
	streamStart := bytes.LastIndex(document, []byte(">>\nstream\n"))
	dictStart := bytes.LastIndex(document[:streamStart], []byte("<< "))
	streamEnd := streamStart + bytes.Index(document[streamStart:], []byte("\nendstream"))

	var compressed bytes.Buffer
	writer, _ := zlib.NewWriterLevel(&compressed, zlib.BestCompression)
	zeros := make([]byte, 1<<20)
	for written := 0; written < size; written += len(zeros) {
		_, _ = writer.Write(zeros)
	}
	_ = writer.Close()

	dict := regexp.MustCompile(`/Length \d+`).ReplaceAllString(
		string(document[dictStart:streamStart]), fmt.Sprintf("/Length %d", compressed.Len()))
	var bomb bytes.Buffer
	bomb.Write(document[:dictStart])
	bomb.WriteString(dict + ">>\nstream\n")
	bomb.Write(compressed.Bytes())
	bomb.Write(document[streamEnd:])
	return bomb.Bytes()
}
