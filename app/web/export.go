package web

import (
	"bytes"
	"io"

	"github.com/gofiber/fiber/v2"

	"folio/app/export"
	"folio/domain"
)

// exportJournal answers GET /reports/export/journal with the whole book as
// an hledger/Ledger journal file.
func (s *Server) exportJournal(c *fiber.Ctx) error {
	return s.exportBooks(c, "journal", export.WriteJournal)
}

// exportBeancount answers GET /reports/export/beancount with the whole book
// as a Beancount file.
func (s *Server) exportBeancount(c *fiber.Ctx) error {
	return s.exportBooks(c, "beancount", export.WriteBeancount)
}

// exportBooks writes the books into memory while it holds them, then sends
// the file as a download named after the format and today's date.
func (s *Server) exportBooks(c *fiber.Ctx, format string, write func(io.Writer, *domain.Books) error) error {
	var file bytes.Buffer
	err := s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		return write(&file, books)
	})
	if err != nil {
		return err
	}

	s.log(c).Info("books exported", "user_id", bookOf(c).String(), "format", format, "bytes", file.Len())
	name := "folio-" + domain.DateOf(s.now().UTC()).String() + "." + format
	return sendDownload(c, name, "text/plain; charset=utf-8", file.Bytes())
}

// sendDownload answers with body as an attachment that browsers save rather
// than show.
func sendDownload(c *fiber.Ctx, name, contentType string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(body)
}
