package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"

	"folio/app/config"
	"folio/app/mail"
)

func TestOutboxWritesMessages(t *testing.T) {
	var outbox bytes.Buffer
	sender := mail.NewOutbox(&outbox)

	err := sender.Send(context.Background(), mail.Message{To: "ada@example.org",
		Subject: "Reset your password", Body: "Open https://books.example.org/x"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	for _, want := range []string{"To: ada@example.org\n", "Subject: Reset your password\n",
		"\n\nOpen https://books.example.org/x\n"} {
		if !strings.Contains(outbox.String(), want) {
			t.Errorf("outbox lacks %q:\n%s", want, outbox.String())
		}
	}
}

// ASVS V1.3.11: header values cannot smuggle headers or recipients into a mail.
func TestMessagesCannotInjectHeaders(t *testing.T) {
	var outbox bytes.Buffer
	sender := mail.NewOutbox(&outbox)

	for _, message := range []mail.Message{
		{To: "ada@example.org\r\nBcc: eve@example.org", Subject: "x"},
		{To: "ada@example.org, eve@example.org", Subject: "x"},
		{To: "Eve <eve@example.org>", Subject: "x"},
		{To: "ada@example.org", Subject: "x\nBcc: eve@example.org"},
		{To: "", Subject: "x"},
	} {
		if err := sender.Send(context.Background(), message); err == nil {
			t.Errorf("sent %q / %q", message.To, message.Subject)
		}
	}
	if outbox.Len() != 0 {
		t.Errorf("the outbox holds:\n%s", outbox.String())
	}
}

func TestNewPicksTheConfiguredDelivery(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	dataDir := t.TempDir()

	development, err := config.Load(func(string) string { return "" }, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if development.PublicURL != "http://127.0.0.1:8080" ||
		development.MailOutbox != filepath.Join(dataDir, config.DefaultMailOutbox) {
		t.Errorf("development: PublicURL %q, MailOutbox %q", development.PublicURL,
			development.MailOutbox)
	}
	sender := mail.New(development, logger)
	if sender == nil {
		t.Fatal("development has no mail")
	}
	err = sender.Send(context.Background(), mail.Message{To: "ada@example.org",
		Subject: "Hello", Body: "secret link https://x/?token=abc"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "token=abc") {
		t.Error("the log holds the mail's body")
	}
	if !strings.Contains(logs.String(), `msg="mail sent" to=ada@example.org subject=Hello`) {
		t.Errorf("the log lacks the delivery: %s", logs.String())
	}

	production := config.Config{Env: config.EnvProduction}
	if mail.New(production, logger) != nil {
		t.Error("production without SMTP has mail")
	}
}

func TestLoadMailSettings(t *testing.T) {
	production := func(overrides map[string]string) func(string) string {
		values := map[string]string{"APP_ENV": "production",
			"SECRET_KEY":   "9f1c2a7be34d5068c1f7a2e9b04d63c85e7a19f2d0b64c38a5e1f7092bd4c6e3",
			"DATABASE_URL": "postgres://folio@db/folio"}
		for name, value := range overrides {
			values[name] = value
		}
		return func(name string) string { return values[name] }
	}
	tests := []struct {
		name      string
		env       map[string]string
		wantError string
	}{
		{"no mail at all", nil, ""},
		{"SMTP", map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_PORT": "465",
			"MAIL_FROM": "folio@example.org", "PUBLIC_URL": "https://books.example.org/"}, ""},
		{"SMTP without PUBLIC_URL", map[string]string{"SMTP_HOST": "smtp.example.org",
			"MAIL_FROM": "folio@example.org"}, "PUBLIC_URL must be set"},
		{"SMTP without MAIL_FROM", map[string]string{"SMTP_HOST": "smtp.example.org",
			"PUBLIC_URL": "https://books.example.org"}, "MAIL_FROM"},
		{"http PUBLIC_URL", map[string]string{"PUBLIC_URL": "http://books.example.org"},
			"https"},
		{"PUBLIC_URL with a path", map[string]string{"PUBLIC_URL": "https://x.org/a?b"},
			"scheme and host"},
		{"bad port", map[string]string{"SMTP_PORT": "smtp"}, "SMTP_PORT"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := config.Load(production(test.env), t.TempDir())
			if test.wantError == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got.MailOutbox != "" {
					t.Errorf("production has a mail outbox: %q", got.MailOutbox)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), test.wantError) {
				t.Errorf("error: got %v, want one about %q", err, test.wantError)
			}
		})
	}
}

// TestSMTPDelivers talks to a minimal SMTP server on the loopback address, where STARTTLS
// may be missing.
func TestSMTPDelivers(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	received := make(chan string, 1)
	go serveOneMail(listener, received)
	port := listener.Addr().(*net.TCPAddr).Port

	sender := mail.NewSMTP(config.SMTPConfig{Host: "127.0.0.1", Port: port,
		From: "folio@example.org"})
	err = sender.Send(context.Background(), mail.Message{To: "ada@example.org",
		Subject: "Reset", Body: "line one\n.\nline three"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	data := <-received
	for _, want := range []string{"From: folio@example.org\r\n", "To: ada@example.org\r\n",
		"Subject: Reset\r\n", "line one\r\n..\r\nline three"} {
		if !strings.Contains(data, want) {
			t.Errorf("the server got no %q in:\n%s", want, data)
		}
	}
}

func serveOneMail(listener net.Listener, received chan<- string) {
	conn, err := listener.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	text := textproto.NewConn(conn)
	reply := func(line string) { _ = text.PrintfLine("%s", line) }
	reply("220 test ESMTP")
	var data strings.Builder
	for {
		line, err := text.ReadLine()
		if err != nil {
			return
		}
		command := strings.ToUpper(strings.Fields(line + " x")[0])
		switch command {
		case "EHLO", "HELO":
			reply("250 test")
		case "DATA":
			reply("354 go on")
			for {
				body, err := text.ReadLine()
				if err != nil || body == "." {
					break
				}
				data.WriteString(body + "\r\n")
			}
			reply("250 queued")
			received <- data.String()
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}
