package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/config"
	"folio/app/web"
	"folio/eventstore/pgtest"
)

const checkSecret = "7d0f3a9c2b5e8f14a6c3d9e27b1f05c84e6a2d9b3f7c1e05a8d4b6f2c9e3a7d1"

func productionEnv(t *testing.T) map[string]string {
	t.Helper()
	uploads := filepath.Join(t.TempDir(), "uploads")
	if err := os.Mkdir(uploads, 0o700); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"APP_ENV": "production", "SECRET_KEY": checkSecret, "DATABASE_URL": pgtest.NewDatabase(t),
		"UPLOAD_FOLDER": uploads, "SESSION_COOKIE_SECURE": "true", "WISE_API_URL": "https://api.wise.com",
		"PUBLIC_URL": "https://books.example.org",
	}
}

func runCheckWith(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	e := &environment{stdout: &out, stderr: &out, getenv: func(name string) string { return env[name] },
		logger: slog.New(slog.DiscardHandler)}
	return run(context.Background(), e, append([]string{"check"}, args...)), out.String()
}

func TestCheckPassesAGoodProductionConfiguration(t *testing.T) {
	code, out := runCheckWith(t, productionEnv(t))
	if code != 0 || strings.Contains(out, "FAIL") {
		t.Fatalf("got exit %d:\n%s", code, out)
	}
}

func TestCheckNamesEachProblemWithItsFix(t *testing.T) {
	tests := []struct {
		name   string
		change func(env map[string]string)
		want   string
	}{
		{"development mode", func(env map[string]string) { env["APP_ENV"] = "development" }, "FAIL  production mode"},
		{"weak secret", func(env map[string]string) { env["SECRET_KEY"] = "changeme" }, "SECRET_KEY"},
		{"insecure cookies", func(env map[string]string) { env["SESSION_COOKIE_SECURE"] = "false" }, "FAIL  secure cookies"},
		{"unreachable database", func(env map[string]string) {
			env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"
		}, "FAIL  database reachable"},
		{"open upload folder", func(env map[string]string) { _ = os.Chmod(env["UPLOAD_FOLDER"], 0o755) }, "chmod 0700"},
		{"missing upload folder", func(env map[string]string) { env["UPLOAD_FOLDER"] = "/nonexistent/uploads" }, "FAIL  upload folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := productionEnv(t)
			tt.change(env)
			code, out := runCheckWith(t, env)
			if code != exitCodeFailure || !strings.Contains(out, tt.want) || !strings.Contains(out, "fix:") {
				t.Fatalf("got exit %d, want %q with a fix:\n%s", code, tt.want, out)
			}
		})
	}
}

// selfSignedTLS returns a server certificate for 127.0.0.1 and a client
// that trusts it.
func selfSignedTLS(t *testing.T) (tls.Certificate, *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(parsed)
	client := &http.Client{Timeout: checkTimeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, client
}

// TestCheckProbesARunningInstance serves the real app over TLS with a plain
// HTTP front that redirects, as the documented nginx set-up does.
func TestCheckProbesARunningInstance(t *testing.T) {
	env := productionEnv(t)
	pool, err := pgxpool.New(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	cfg, err := config.Load(func(name string) string { return env[name] }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	server, err := web.New(web.Deps{Config: cfg, Pool: pool, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	certificate, client := selfSignedTLS(t)
	listener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{certificate}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.App().Listener(listener) }()
	t.Cleanup(func() { _ = server.App().Shutdown() })
	base := "https://" + listener.Addr().String()
	redirect := httptest.NewServer(http.RedirectHandler(base+"/", http.StatusMovedPermanently))
	t.Cleanup(redirect.Close)

	probe := &prober{client: client, base: base, httpURL: redirect.URL}
	var out bytes.Buffer
	if err := report(&out, probe.run(context.Background())); err != nil {
		t.Fatalf("probe of a well-configured instance failed:\n%s", out.String())
	}

	plain := &prober{client: client, base: base, httpURL: base}
	out.Reset()
	if err := report(&out, plain.run(context.Background())); err == nil || !strings.Contains(out.String(), "FAIL  HTTP redirects to HTTPS") {
		t.Errorf("a missing redirect went unnoticed:\n%s", out.String())
	}
}

func TestCheckRefusesToProbePlainHTTP(t *testing.T) {
	code, out := runCheckWith(t, productionEnv(t), "--url", "http://127.0.0.1:1")
	if code != exitCodeFailure || !strings.Contains(out, "FAIL  HTTPS") {
		t.Fatalf("got exit %d:\n%s", code, out)
	}
}
