package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
)

// layoutTemplate is the template, defined in layout.html, that renders a whole page. Every
// page file defines "title" and "content", which the layout calls.
const layoutTemplate = "layout"

// renderBufferBytesMax bounds the buffers kept for reuse; a rare huge page is not kept.
const renderBufferBytesMax = 1 << 20

var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// view is what every template receives: the request's common values, and Data, the page's
// own values.
type view struct {
	CSRFToken string
	User      *users.User // nil when nobody is signed in
	RequestID string
	Path      string
	Data      any
	// Book names the owner while the user reads somebody else's books, for the banner.
	Book *auditBanner
}

// parsePages parses one template set per file in pages/: layout.html, every partial and that
// page. It fails when a page does not define "title" and "content", so mistakes surface at
// start-up, not on the first request.
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout and partials: %w", err)
	}
	files, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}

	pages := make(map[string]*template.Template, len(files))
	for _, file := range files {
		set, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout for %s: %w", file, err)
		}
		set, err = set.ParseFS(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		for _, name := range []string{layoutTemplate, "title", "content"} {
			if set.Lookup(name) == nil {
				return nil, fmt.Errorf("%s: no template %q defined", file, name)
			}
		}
		pages[strings.TrimSuffix(path.Base(file), ".html")] = set
	}
	return pages, nil
}

func (s *Server) templateFuncs() template.FuncMap {
	entries := newRenderedEntries(func(buffer *bytes.Buffer, entry transactionView) error {
		return s.pages["transactions"].ExecuteTemplate(buffer, entryTemplate, entry)
	})
	return template.FuncMap{
		// entry renders one journal entry, as the "journal_entry" template does.
		"entry": entries.html,
		// asset returns the versioned URL of a file in static/.
		"asset": s.assetURL,
		// current reports whether the page at path belongs to the navigation entry prefix.
		"current": func(path, prefix string) bool {
			if prefix == "/" {
				return path == "/"
			}
			return path == prefix || strings.HasPrefix(path, prefix+"/")
		},
		// date formats an instant as a calendar date and time in UTC.
		"date": func(t time.Time) string {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
	}
}

// render answers with page: the whole page normally, or only its template fragment when
// htmx asked (HX-Request) and fragment is not empty. It renders into a buffer first, so a
// template error becomes an error page instead of half a page. The status is whatever the
// handler set before (200 by default).
func (s *Server) render(c *fiber.Ctx, page, fragment string, data any) error {
	set, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("render: no page %q", page)
	}
	name := layoutTemplate
	if fragment != "" {
		c.Vary("HX-Request", "HX-History-Restore-Request")
		if isHTMX(c) {
			name = fragment
		}
	}

	buffer := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buffer.Cap() <= renderBufferBytesMax {
			buffer.Reset()
			renderBuffers.Put(buffer)
		}
	}()
	buffer.Reset()

	err := set.ExecuteTemplate(buffer, name, s.newView(c, data))
	if err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	c.Type("html", "utf-8")
	// SetBody copies, so the buffer can go back to the pool; c.Send would not.
	c.Response().SetBody(buffer.Bytes())
	return nil
}

func (s *Server) newView(c *fiber.Ctx, data any) view {
	v := view{
		CSRFToken: csrfToken(c),
		RequestID: requestID(c),
		Path:      c.Path(),
		Data:      data,
	}
	if user, ok := optionalUser(c); ok {
		v.User = &user
		v.Book = auditBannerOf(c)
	}
	return v
}

// isHTMX reports whether htmx sent the request and wants a fragment. A
// history restore (going back to a page htmx kept no copy of) also sends
// HX-Request, but swaps the answer in as the whole page, so it gets the page.
func isHTMX(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-History-Restore-Request") != "true"
}
