package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"folio/app/documents"
)

// Request bodies are streamed (fiber.Config.StreamRequestBody), so that an
// upload never sits whole in memory. Streaming turns off the server's own
// body limit, so limitBody puts it back: every route gets its body read
// whole, up to bodySizeBytesMax, before any handler runs, except the routes
// in streamedRoutes, which read their bodies as streams up to their own
// limits.
const (
	// uploadBodyBytesMax bounds the body of one document upload: the file
	// and the multipart framing around it.
	uploadBodyBytesMax = documents.FileSizeBytesMax + 64<<10
	// uploadFormBytesMax bounds the body of the upload form of the
	// documents page, which may carry several files.
	uploadFormBytesMax = uploadFilesMax*documents.FileSizeBytesMax + 256<<10
	// uploadReadTimeout replaces readTimeout for streamed routes: 16 MB
	// take minutes on a slow uplink.
	uploadReadTimeout = 10 * time.Minute
	// formTokenBytesMax bounds the CSRF field read from a streamed form.
	formTokenBytesMax = 256
)

// streamedRoutes names the routes that read their bodies as streams, with
// the size of the largest body each takes.
var streamedRoutes = map[string]int64{
	fiber.MethodPost + " /documents":        uploadFormBytesMax,
	fiber.MethodPost + " /api/v1/documents": uploadBodyBytesMax,
}

// streamedLimit returns the body limit of a streamed route, or false.
func streamedLimit(method, path string) (int64, bool) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	limit, ok := streamedRoutes[method+" "+path]
	return limit, ok
}

// limitBodies makes the server stream request bodies, installs limitBody
// and gives streamed routes a longer read timeout. fasthttp would otherwise
// read a multipart body whole, into memory and temporary files, before any
// handler runs.
func (s *Server) limitBodies() {
	server := s.app.Server()
	server.StreamRequestBody = true
	server.DisablePreParseMultipartForm = true
	server.HeaderReceived = func(header *fasthttp.RequestHeader) fasthttp.RequestConfig {
		path, _, _ := strings.Cut(string(header.RequestURI()), "?")
		if _, streamed := streamedLimit(string(header.Method()), path); streamed {
			return fasthttp.RequestConfig{ReadTimeout: uploadReadTimeout}
		}
		return fasthttp.RequestConfig{}
	}
	s.app.Use(s.limitBody)
}

// limitBody is the server's body limit. A body over the limit is refused
// with 413 before any handler runs; as its rest is never read, the
// connection is closed after the answer. Streamed routes close their
// connections after every answer.
func (s *Server) limitBody(c *fiber.Ctx) error {
	stream := c.Request().BodyStream()
	if stream == nil {
		return c.Next()
	}
	limit, streamed := streamedLimit(c.Method(), c.Path())
	if !streamed {
		limit = bodySizeBytesMax
	}
	if int64(c.Request().Header.ContentLength()) > limit {
		return bodyTooLarge(c)
	}
	if streamed {
		// Whoever answers (a handler, or a middleware that refuses the request) may leave
		// part of the body unread, which must not be taken for the next request.
		c.Context().SetConnectionClose()
		return c.Next()
	}

	body, err := io.ReadAll(io.LimitReader(stream, limit+1))
	if err != nil {
		c.Context().SetConnectionClose()
		return fiber.ErrBadRequest
	}
	if int64(len(body)) > limit {
		return bodyTooLarge(c)
	}
	c.Request().SetBodyRaw(body)
	return c.Next()
}

func bodyTooLarge(c *fiber.Ctx) error {
	c.Context().SetConnectionClose()
	return fiber.ErrRequestEntityTooLarge
}

// errBodyTooLarge is what a streamed body's reader returns past its limit.
var errBodyTooLarge = errors.New("request body too large")

// limitedBody reads a streamed body, or a part of one, and fails with
// tooLarge (errBodyTooLarge when nil) past its limit, however the client
// framed it (chunked or with a false Content-Length).
type limitedBody struct {
	reader    io.Reader
	remaining int64
	tooLarge  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.remaining < 0 {
		return 0, b.errTooLarge()
	}
	if int64(len(p)) > b.remaining+1 {
		p = p[:b.remaining+1]
	}
	n, err := b.reader.Read(p)
	b.remaining -= int64(n)
	if b.remaining < 0 {
		return n, b.errTooLarge()
	}
	return n, err
}

func (b *limitedBody) errTooLarge() error {
	if b.tooLarge != nil {
		return b.tooLarge
	}
	return errBodyTooLarge
}

// streamedFormKey keeps a streamed form between middleware and handler.
const streamedFormKey localsKey = 100

// streamedBody is the multipart/form-data body of a request on a streamed
// route, read as it arrives.
type streamedBody struct {
	form *multipart.Reader
	body *limitedBody
}

// streamedForm returns the request's form, which must be on a streamed
// route. A body of another type is 415.
func streamedForm(c *fiber.Ctx) (*streamedBody, error) {
	if form, ok := c.Locals(streamedFormKey).(*streamedBody); ok {
		return form, nil
	}
	mediaType, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mediaType != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, newRequestError(fiber.StatusUnsupportedMediaType, "unsupported_media_type",
			"Send the file as multipart/form-data, in a field named file.")
	}
	var stream io.Reader = c.Request().BodyStream()
	if stream == nil {
		stream = strings.NewReader("")
	}
	limit, _ := streamedLimit(c.Method(), c.Path())
	body := &limitedBody{reader: stream, remaining: limit}
	form := &streamedBody{form: multipart.NewReader(body, params["boundary"]), body: body}
	c.Locals(streamedFormKey, form)
	return form, nil
}

// finish ends a streamed request. After a success, what is left of the
// body after the form's last boundary (its final line break, usually) is
// read, so that the connection does not close on unread bytes, which can
// make the client lose the answer. After a failure the rest is not worth
// reading; the connection closes after the answer either way.
func (b *streamedBody) finish(c *fiber.Ctx, failed bool) {
	if failed {
		c.Context().SetConnectionClose()
		return
	}
	if _, err := io.Copy(io.Discard, b.body); err != nil {
		c.Context().SetConnectionClose()
	}
}

// streamed puts formTokenFirst in front of a streamed route's chain.
func (s *Server) streamed(chain []fiber.Handler) []fiber.Handler {
	return append([]fiber.Handler{s.formTokenFirst}, chain...)
}

// formTokenFirst is middleware for streamed forms: the CSRF middleware reads
// the token from the header, or else parses the whole form into memory,
// which a streamed body must never go through. A form whose first field is
// _csrf, as the documents page sends it, has the token copied into the
// header, so that the check happens before any file is read; any other form
// without the header is refused. API requests that the CSRF check skips
// (bearer tokens, no session) are left alone.
func (s *Server) formTokenFirst(c *fiber.Ctx) error {
	if c.Get(csrfHeader) != "" || (isAPI(c) && s.skipAPICSRF(c)) {
		return c.Next()
	}
	form, err := streamedForm(c)
	if err != nil {
		return err
	}
	part, err := form.form.NextPart()
	if err != nil || part.FormName() != csrfFormField {
		return s.csrfRejected(c, errors.New("no _csrf field first in the form"))
	}
	token, err := io.ReadAll(io.LimitReader(part, formTokenBytesMax))
	if err != nil {
		return s.csrfRejected(c, err)
	}
	c.Request().Header.Set(csrfHeader, string(token))
	return c.Next()
}
