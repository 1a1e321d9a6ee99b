// Package mail delivers the few mails Folio sends (password reset links). Production sends
// them through an SMTP server; development writes them to an outbox file instead, where a
// developer finds the links. Mail is never written to the application log: its body can hold
// a secret link.
package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"folio/app/config"
)

// Message is one plain-text mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// check refuses a message whose header values could smuggle more headers or recipients.
func (m Message) check() error {
	if m.To == "" || strings.ContainsAny(m.To, "\r\n,;<>") {
		return errors.New("mail: the recipient must be one plain address")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail: the subject must be one line")
	}
	return nil
}

// Sender delivers mail.
type Sender interface {
	Send(ctx context.Context, message Message) error
}

// New returns the sender the configuration asks for: SMTP when cfg.SMTP.Host is set, the
// development outbox file otherwise, and nil (no mail) in production without SMTP. logger
// gets one line per mail, without its body.
func New(cfg config.Config, logger *slog.Logger) Sender {
	if cfg.SMTP.Host != "" {
		return &logged{sender: NewSMTP(cfg.SMTP), logger: logger, how: "smtp"}
	}
	if cfg.MailOutbox != "" {
		return &logged{sender: NewFileOutbox(cfg.MailOutbox), logger: logger,
			how: "outbox " + cfg.MailOutbox}
	}
	return nil
}

// logged records each delivery in the application log: recipient, subject, how, never the
// body.
type logged struct {
	sender Sender
	logger *slog.Logger
	how    string
}

func (l *logged) Send(ctx context.Context, message Message) error {
	err := l.sender.Send(ctx, message)
	if err != nil {
		l.logger.Error("mail not sent", "to", message.To, "subject", message.Subject,
			"via", l.how, "error", err)
		return err
	}
	l.logger.Info("mail sent", "to", message.To, "subject", message.Subject, "via", l.how)
	return nil
}

// Outbox writes each message to a writer instead of sending it: the development stand-in
// for a mail server, and the tests'.
type Outbox struct {
	mu    sync.Mutex
	write func(text []byte) error
	now   func() time.Time
}

// NewOutbox returns an Outbox that writes to w.
func NewOutbox(w io.Writer) *Outbox {
	return &Outbox{now: time.Now, write: func(text []byte) error {
		_, err := w.Write(text)
		return err
	}}
}

// NewFileOutbox returns an Outbox that appends to the file at path, readable by its owner
// only.
func NewFileOutbox(path string) *Outbox {
	return &Outbox{now: time.Now, write: func(text []byte) error {
		// #nosec G304 -- the path is MAIL_OUTBOX from the configuration, never from a request
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("open mail outbox: %w", err)
		}
		_, err = file.Write(text)
		closeErr := file.Close()
		return errors.Join(err, closeErr)
	}}
}

// Send writes message, headers first, then a line of dashes.
func (o *Outbox) Send(_ context.Context, message Message) error {
	err := message.check()
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Date: %s\nTo: %s\nSubject: %s\n\n%s\n%s\n",
		o.now().UTC().Format(time.RFC1123Z), message.To, message.Subject, message.Body,
		strings.Repeat("-", 72))

	o.mu.Lock()
	defer o.mu.Unlock()
	return o.write([]byte(text))
}
