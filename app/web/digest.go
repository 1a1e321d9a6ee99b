package web

import (
	"encoding/hex"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"

	"folio/app/digest"
	"folio/domain"
	"folio/eventstore"
)

// digestDownload answers GET /verify/digest with a signed digest of the book's chain head,
// as a file to keep. It checks the chain first, in the same snapshot as the head it signs: a
// digest of a broken chain would vouch for tampered books, so none is made.
func (s *Server) digestDownload(c *fiber.Ctx) error {
	access := bookAccessOf(c)
	ctx := c.UserContext()
	key, err := digest.LoadKey(s.config.DigestSigningKey, s.config.SecretKey)
	if err != nil {
		return err
	}

	var broken *eventstore.ChainBreak
	head := digest.Digest{Book: access.OwnerID, Owner: access.OwnerEmail}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if broken, err = eventstore.VerifyChain(ctx, tx, access.OwnerID); err != nil || broken != nil {
			return err
		}
		var hash []byte
		head.Version, hash, err = streamHead(ctx, tx, access.OwnerID)
		head.HeadHash = hex.EncodeToString(hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("sign digest of %s: %w", access.OwnerID, err)
	}
	if broken != nil {
		return domain.Conflict("The hash chain is broken at event %d (%s), so no digest is "+
			"signed for these books.", broken.Version, broken.Reason)
	}

	head.SignedAt = s.now().UTC().Truncate(1e9)
	signed := digest.Sign(key, head)
	s.log(c).Info("digest signed", "owner_id", access.OwnerID.String(), "version", signed.Version)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="folio-digest-%s-%d.json"`,
		access.OwnerID.String()[:8], signed.Version))
	c.Type("json", "utf-8")
	return c.Send(digest.Encode(signed))
}
