package web

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/digest"
	"folio/eventstore"
	"folio/projections"
)

// verifyView is the data of pages/verify.html.
type verifyView struct {
	OwnerEmail string
	Audited    bool
	BookParam  string

	PublicKey   string
	Fingerprint string

	Result *verifyResult // nil until the checks ran
}

// verifyResult is the outcome of checking one book: the hash chain first, then the read
// models against a fresh fold of the events.
type verifyResult struct {
	Events   int64
	HeadHash string

	Broken        *eventstore.ChainBreak // the first event that breaks the chain
	ReadModelDiff string                 // the first difference, or ""
	Duration      time.Duration
}

// OK reports whether every check passed.
func (r verifyResult) OK() bool {
	return r.Broken == nil && r.ReadModelDiff == ""
}

// verifyPage answers GET /verify: what the checks do, a button that runs them, and the
// signed digest.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	data, err := s.newVerifyView(c)
	if err != nil {
		return err
	}
	return s.render(c, "verify", "", data)
}

// runVerification answers GET /verify/run: it runs the checks and shows the result (the
// fragment for htmx, the whole page otherwise). It only reads, so auditors may run it too.
func (s *Server) runVerification(c *fiber.Ctx) error {
	data, err := s.newVerifyView(c)
	if err != nil {
		return err
	}
	result, err := s.verifyBook(c.UserContext(), bookAccessOf(c).OwnerID)
	if err != nil {
		return err
	}

	data.Result = &result
	s.log(c).Info("books verified", "owner_id", bookAccessOf(c).OwnerID.String(),
		"ok", result.OK(), "events", result.Events, "duration_ms", result.Duration.Milliseconds())
	return s.render(c, "verify", "verify_result", data)
}

// verifyBadge answers GET /verify/badge with a small fragment that says whether today's read
// models equal a fresh fold of the events, for the time travel page. A check of the same
// version of the book within the last minute is reused; /verify/run always checks afresh.
func (s *Server) verifyBadge(c *fiber.Ctx) error {
	ctx := c.UserContext()
	ownerID := bookAccessOf(c).OwnerID
	version, err := s.store.StreamVersion(ctx, ownerID)
	if err != nil {
		return err
	}
	diff, ok := s.timeTravel.badge(ownerID, version, s.now())
	if !ok {
		diff, err = projections.Verify(ctx, s.pool, ownerID)
		if err != nil {
			return err
		}
		s.timeTravel.rememberBadge(ownerID, version, diff, s.now())
	}

	data, err := s.newVerifyView(c)
	if err != nil {
		return err
	}
	data.Result = &verifyResult{Events: version, ReadModelDiff: diff}
	return s.render(c, "verify", "verify_badge", data)
}

func (s *Server) newVerifyView(c *fiber.Ctx) (verifyView, error) {
	key, err := digest.LoadKey(s.config.DigestSigningKey, s.config.SecretKey)
	if err != nil {
		return verifyView{}, err
	}
	access := bookAccessOf(c)
	return verifyView{OwnerEmail: access.OwnerEmail, Audited: access.audited(),
		BookParam: c.Query(bookQueryParameter), PublicKey: digest.PublicKeyText(key),
		Fingerprint: digest.Fingerprint(key.Public().(ed25519.PublicKey))}, nil
}

// verifyBook checks the owner's hash chain and, when it holds, the read models. Read models
// are only worth comparing with a fold of events known to be untampered.
func (s *Server) verifyBook(ctx context.Context, ownerID uuid.UUID) (verifyResult, error) {
	started := time.Now()
	var result verifyResult
	var err error
	result.Broken, err = eventstore.VerifyChain(ctx, s.pool, ownerID)
	if err != nil {
		return verifyResult{}, err
	}
	if result.Broken == nil {
		result.ReadModelDiff, err = projections.Verify(ctx, s.pool, ownerID)
		if err != nil {
			return verifyResult{}, err
		}
	}
	var hash []byte
	result.Events, hash, err = streamHead(ctx, s.pool, ownerID)
	if err != nil {
		return verifyResult{}, err
	}
	result.HeadHash = hex.EncodeToString(hash)
	result.Duration = time.Since(started)
	return result, nil
}

// streamHead returns the version and hash of the last event of the owner's stream, or 0 and
// nothing for books without events.
func streamHead(ctx context.Context, q eventstore.Querier, ownerID uuid.UUID) (int64, []byte, error) {
	var version int64
	var hash []byte
	err := q.QueryRow(ctx, `SELECT version, head_hash FROM streams WHERE user_id = $1`, ownerID).
		Scan(&version, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read stream head of %s: %w", ownerID, err)
	}
	return version, hash, nil
}
