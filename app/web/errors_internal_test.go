package web

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"folio/domain"
)

func TestAnUnreachableDatabaseIsServiceUnavailable(t *testing.T) {
	unavailable := map[string]error{
		"server shutting down": &pgconn.PgError{Code: "57P01"},
		"not accepting yet":    &pgconn.PgError{Code: "57P03"},
		"connection exception": &pgconn.PgError{Code: "08006"},
		"refused connection":   &net.OpError{Op: "dial", Err: errors.New("connection refused")},
		"connection cut off":   fmt.Errorf("read rows: %w", io.ErrUnexpectedEOF),
		"pool closed":          fmt.Errorf("acquire: %w", puddle.ErrClosedPool),
	}
	for name, err := range unavailable {
		if status, _, message, _ := errorStatus(fmt.Errorf("handler: %w", err)); status != 503 || message == "" {
			t.Errorf("%s: got %d, want 503", name, status)
		}
	}
	others := map[string]error{
		"unique violation": &pgconn.PgError{Code: "23505"},
		"a plain bug":      errors.New("nil map"),
		"a rejection":      domain.Invalid("amount", "bad"),
	}
	for name, err := range others {
		if status, _, _, _ := errorStatus(err); status == 503 {
			t.Errorf("%s: got 503, want another status", name)
		}
	}
}
