package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"folio/app/web"
)

// freeAddr returns a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := listener.Addr().String()
	_ = listener.Close()
	return addr
}

// postDeclaredLength sends a POST's headers declaring a body of length
// bytes with its first 12 KiB in the same write, sends no more, and reads
// the server's answer. The server reads more than 8 KiB of a body before
// it looks at the request; 12 KiB and the headers fit its 16 KiB read
// buffer, so nothing it leaves unread can turn its close into a reset.
func postDeclaredLength(t *testing.T, addr, path string, length int) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path, addr, length)
	if _, err := io.WriteString(conn, head+strings.Repeat("x", 12<<10)); err != nil {
		t.Fatalf("send the headers: %v", err)
	}
	response, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to a declared %d-byte body: %v", length, err)
	}
	return response
}

func TestListenServesAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	ts := newTestServer(t, func(deps *web.Deps) { deps.Config.Addr = addr })
	started := make(chan struct{})
	ts.server.App().Get("/test/slow", func(c *fiberCtx) error {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return c.SendString("finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listened := make(chan error, 1)
	go func() { listened <- ts.server.Listen(ctx) }()
	base := "http://" + addr
	waitUntilServing(t, base+"/healthz")

	// A body over the limit is refused before any handler runs, with the usual headers.
	// The server must answer from the declared length, having read only what
	// came with the headers. (A client still writing the body when the server
	// closes the connection would see a reset instead of the answer.)
	tooLarge := postDeclaredLength(t, addr, "/api/v1/tokens", 2<<20)
	body, _ := io.ReadAll(tooLarge.Body)
	_ = tooLarge.Body.Close()
	if tooLarge.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(string(body), `"code":"too_large"`) ||
		tooLarge.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("large body: got %d %s %v", tooLarge.StatusCode, body, tooLarge.Header)
	}

	// A request in flight when shutdown begins still finishes.
	slow := make(chan string, 1)
	go func() {
		response, err := http.Get(base + "/test/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		defer response.Body.Close()
		body, _ := io.ReadAll(response.Body)
		slow <- fmt.Sprintf("%d %s", response.StatusCode, body)
	}()
	<-started
	cancel()

	if got := <-slow; got != "200 finished" {
		t.Errorf("in-flight request: got %q, want 200 finished", got)
	}
	select {
	case err := <-listened:
		if err != nil {
			t.Errorf("Listen: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Listen did not return after its context was cancelled")
	}
}

func waitUntilServing(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		response, err := http.Get(url)
		if err == nil {
			_ = response.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}
