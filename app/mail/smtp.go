package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"folio/app/config"
)

// smtpTimeout bounds one delivery: connecting, the conversation and the message.
const smtpTimeout = 20 * time.Second

// SMTP sends mail through an SMTP server. It insists on STARTTLS, except to a loopback
// address (a local relay), and authenticates with PLAIN when a username is set.
type SMTP struct {
	config config.SMTPConfig
}

// NewSMTP returns an SMTP sender for the server in cfg.
func NewSMTP(cfg config.SMTPConfig) *SMTP {
	return &SMTP{config: cfg}
}

// Send delivers message.
func (s *SMTP) Send(ctx context.Context, message Message) error {
	err := message.check()
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	addr := net.JoinHostPort(s.config.Host, strconv.Itoa(s.config.Port))
	dialer := &net.Dialer{}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connect to %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)

	client, err := smtp.NewClient(conn, s.config.Host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("smtp: greet %s: %w", addr, err)
	}
	defer func() { _ = client.Close() }()

	err = s.secure(client)
	if err != nil {
		return err
	}
	err = s.deliver(client, message)
	if err != nil {
		return err
	}
	return client.Quit()
}

func (s *SMTP) secure(client *smtp.Client) error {
	if ok, _ := client.Extension("STARTTLS"); ok {
		err := client.StartTLS(&tls.Config{ServerName: s.config.Host, MinVersion: tls.VersionTLS12})
		if err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	} else if !loopback(s.config.Host) {
		return errors.New("smtp: the server offers no STARTTLS; refusing to send in the clear")
	}

	if s.config.Username == "" {
		return nil
	}
	auth := smtp.PlainAuth("", s.config.Username, s.config.Password, s.config.Host)
	err := client.Auth(auth)
	if err != nil {
		return fmt.Errorf("smtp: authenticate: %w", err)
	}
	return nil
}

func (s *SMTP) deliver(client *smtp.Client, message Message) error {
	err := client.Mail(s.config.From)
	if err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	err = client.Rcpt(message.To)
	if err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	body, err := client.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	_, err = body.Write(format(s.config.From, message, time.Now()))
	if err != nil {
		_ = body.Close()
		return fmt.Errorf("smtp: write message: %w", err)
	}
	err = body.Close()
	if err != nil {
		return fmt.Errorf("smtp: end message: %w", err)
	}
	return nil
}

// format returns message as RFC 5322 text with CRLF line ends.
func format(from string, message Message, now time.Time) []byte {
	var text strings.Builder
	header := func(name, value string) {
		text.WriteString(name + ": " + value + "\r\n")
	}
	header("From", from)
	header("To", message.To)
	header("Subject", message.Subject)
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	text.WriteString("\r\n")
	body := strings.ReplaceAll(message.Body, "\r\n", "\n")
	text.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	text.WriteString("\r\n")
	return []byte(text.String())
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
