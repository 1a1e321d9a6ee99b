package web

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/documents"
	"folio/domain"
	"folio/projections"
)

// documentFileCSP is the Content-Security-Policy of a served PDF: a
// sandbox, so that a PDF opened as a page runs no script with this site's
// rights.
const documentFileCSP = "sandbox"

var errNoSuchDocument = domain.NotFound("there is no such document")

// findDocument reads the document named by the route's :id in the books of
// owner. A malformed, made-up or foreign id is the same 404.
func (s *Server) findDocument(c *fiber.Ctx, owner uuid.UUID) (projections.DocumentRow, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return projections.DocumentRow{}, errNoSuchDocument
	}
	return projections.Document(c.UserContext(), s.pool, owner, id)
}

// serveDocument answers GET /documents/{id} and GET /api/v1/documents/{id}
// with the PDF: shown by the browser, or saved with ?download=1.
func (s *Server) serveDocument(c *fiber.Ctx) error {
	owner := bookOf(c)
	document, err := s.findDocument(c, owner)
	if err != nil {
		return err
	}
	file, size, err := s.documents.Open(c.UserContext(), owner, document.SHA256)
	if errors.Is(err, documents.ErrNotStored) {
		return fmt.Errorf("file of document %s of %s is missing: %w", document.ID, owner, err)
	}
	if err != nil {
		return err
	}

	disposition := "inline"
	if c.Query("download") != "" {
		disposition = "attachment"
	}
	header := &c.Response().Header
	header.Set(fiber.HeaderContentType, "application/pdf")
	header.Set(fiber.HeaderContentDisposition, contentDisposition(disposition, document.Name))
	header.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	header.Set(fiber.HeaderContentSecurityPolicy, documentFileCSP)
	header.Set(fiber.HeaderCacheControl, "private, no-store")
	// The response streams the file and closes it when sent.
	c.Response().SetBodyStream(file, int(size))
	return nil
}

// contentDisposition writes a Content-Disposition header for name as RFC
// 6266 asks: a plain ASCII filename for old clients, with anything that
// could break out of the quotes replaced, and the exact name, percent
// encoded, in filename*.
func contentDisposition(disposition, name string) string {
	var fallback, encoded strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
			continue
		}
		fallback.WriteRune(r)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if isAttrChar(b) {
			encoded.WriteByte(b)
			continue
		}
		fmt.Fprintf(&encoded, "%%%02X", b)
	}
	if !utf8.ValidString(name) {
		return disposition + `; filename="` + fallback.String() + `"`
	}
	return disposition + `; filename="` + fallback.String() + `"; filename*=UTF-8''` + encoded.String()
}

// isAttrChar reports the bytes RFC 5987 lets stand unencoded.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
