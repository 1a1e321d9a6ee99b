package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/users"
	"folio/domain"
)

// Auditor access. An owner grants another user read-only access to their books (grants.go).
// The auditor then reads those books through the ordinary pages and API: resolveBook, on
// every route behind signedIn or api, decides whose books the request reads, and bookOf
// answers with it. A request reads somebody else's books when it names them with the query
// parameter book=<owner id>, or, for pages, when the auditor switched into them (the book
// cookie). While it does, every unsafe method answers 403 and every request is written to the
// owner's access log.

// auditLocalsKey names the values the audit middleware leaves in a request's Locals.
type auditLocalsKey int

const bookAccessKey auditLocalsKey = iota

// bookQueryParameter names another user's books on any page or API request.
const bookQueryParameter = "book"

// bookAccess is whose books a request reads. GrantID is uuid.Nil for the user's own books.
type bookAccess struct {
	OwnerID    uuid.UUID
	OwnerEmail string
	GrantID    uuid.UUID
}

// audited reports whether the request reads somebody else's books.
func (b bookAccess) audited() bool {
	return b.GrantID != uuid.Nil
}

// resolveBook is middleware, after the user is known: it finds whose books the request
// reads, checks that the user holds an active grant for them, refuses unsafe methods while
// reading another's books and records the request in the owner's access log. A book the user
// may not read answers exactly like one that does not exist.
func (s *Server) resolveBook(c *fiber.Ctx) error {
	user := currentUser(c)
	ownerID, fromCookie, err := s.requestedBook(c, user)
	if err != nil {
		return err
	}
	if ownerID == uuid.Nil || ownerID == user.ID {
		c.Locals(bookAccessKey, bookAccess{OwnerID: user.ID, OwnerEmail: user.Email})
		return c.Next()
	}

	access, err := s.grantedBook(c, user, ownerID)
	if domain.ErrorCode(err) == domain.CodeNotFound && fromCookie {
		s.clearBookCookie(c) // revoked since the switch: back to the user's own books next time
	}
	if err != nil {
		return err
	}
	c.Locals(bookAccessKey, access)

	if !safeMethod(c.Method()) {
		err = domain.Forbidden("You are reading the books of %s, read-only: nothing can be "+
			"changed here. Switch back to your own books to make changes.", access.OwnerEmail)
	} else {
		err = c.Next()
	}
	s.recordAccess(c, user, access, err)
	return err
}

// requestedBook returns the owner named by the request, or uuid.Nil for the user's own
// books, and whether it came from the book cookie. A malformed book parameter names nobody's
// books: it gets the same 404 as an unknown id.
func (s *Server) requestedBook(c *fiber.Ctx, user users.User) (uuid.UUID, bool, error) {
	if text := c.Query(bookQueryParameter); text != "" {
		ownerID, err := uuid.Parse(text)
		if err != nil {
			return uuid.Nil, false, domain.NotFound("no such book")
		}
		return ownerID, false, nil
	}
	if isAPI(c) {
		return uuid.Nil, false, nil // the API names books explicitly, never by cookie
	}
	ownerID, ok := s.bookCookie(c, user)
	return ownerID, ok, nil
}

// grantedBook returns the access the user holds to owner's books, or a not-found error.
// Admins never read anybody's books, whatever was granted.
func (s *Server) grantedBook(c *fiber.Ctx, user users.User, ownerID uuid.UUID) (bookAccess, error) {
	if user.Admin {
		return bookAccess{}, domain.NotFound("no such book")
	}
	grant, err := s.activeGrant(c.UserContext(), ownerID, user.ID)
	if err != nil {
		return bookAccess{}, err
	}
	return bookAccess{OwnerID: ownerID, OwnerEmail: grant.OwnerEmail, GrantID: grant.ID}, nil
}

// safeMethod reports whether method only reads.
func safeMethod(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return true
	}
	return false
}

// bookAccessOf returns whose books the request reads: what resolveBook decided, or the
// signed-in user's own books on a route without it.
func bookAccessOf(c *fiber.Ctx) bookAccess {
	access, ok := c.Locals(bookAccessKey).(bookAccess)
	if ok {
		return access
	}
	user := currentUser(c)
	return bookAccess{OwnerID: user.ID, OwnerEmail: user.Email}
}

// auditBanner is what the layout shows while a user reads somebody else's books.
type auditBanner struct {
	OwnerID    uuid.UUID
	OwnerEmail string
}

// auditBannerOf returns the banner for the request, or nil when it reads the user's own
// books (or nobody is signed in).
func auditBannerOf(c *fiber.Ctx) *auditBanner {
	access, ok := c.Locals(bookAccessKey).(bookAccess)
	if !ok || !access.audited() {
		return nil
	}
	return &auditBanner{OwnerID: access.OwnerID, OwnerEmail: access.OwnerEmail}
}

// The book cookie remembers, for pages, which granted books a user switched into. It holds
// "<user id>:<owner id>": it is only a preference, checked against the grants on every
// request, and bound to the user so that whoever signs in next in the browser ignores it.
const bookCookieLifetime = sessionAbsoluteTimeout

func (s *Server) bookCookieName() string {
	if s.config.SessionCookieSecure {
		return "__Host-folio_book"
	}
	return "folio_book"
}

// bookCookie returns the owner the user switched into, if the cookie is the user's.
func (s *Server) bookCookie(c *fiber.Ctx, user users.User) (uuid.UUID, bool) {
	value := c.Cookies(s.bookCookieName())
	if value == "" {
		return uuid.Nil, false
	}
	userText, ownerText, found := strings.Cut(value, ":")
	userID, userErr := uuid.Parse(userText)
	ownerID, ownerErr := uuid.Parse(ownerText)
	if !found || userErr != nil || ownerErr != nil || userID != user.ID {
		s.clearBookCookie(c)
		return uuid.Nil, false
	}
	return ownerID, true
}

func (s *Server) setBookCookie(c *fiber.Ctx, userID, ownerID uuid.UUID) {
	c.Cookie(&fiber.Cookie{
		Name:     s.bookCookieName(),
		Value:    userID.String() + ":" + ownerID.String(),
		Path:     "/",
		Expires:  s.now().Add(bookCookieLifetime),
		Secure:   s.config.SessionCookieSecure,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearBookCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name:     s.bookCookieName(),
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		Secure:   s.config.SessionCookieSecure,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// bookSwitch is the chain of the route that switches books: a signed-in page without
// resolveBook, so that a user reading somebody else's books can always switch back.
func (s *Server) bookSwitch(handler fiber.Handler) []fiber.Handler {
	return []fiber.Handler{s.pageCSRF, s.loadUser, s.requireUser, handler}
}

// switchBook answers POST /books/switch (book=<owner id>, or empty for the user's own
// books): pages then show those books until the user switches again. Books the user may not
// read get a 404.
func (s *Server) switchBook(c *fiber.Ctx) error {
	user := currentUser(c)
	text := c.FormValue(bookQueryParameter)
	if text == "" || text == user.ID.String() {
		s.clearBookCookie(c)
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	ownerID, err := uuid.Parse(text)
	if err != nil {
		return domain.NotFound("no such book")
	}

	access, err := s.grantedBook(c, user, ownerID)
	if err != nil {
		return err
	}

	s.setBookCookie(c, user.ID, access.OwnerID)
	s.log(c).Info("switched into granted books", "user_id", user.ID.String(),
		"owner_id", access.OwnerID.String())
	return c.Redirect("/", fiber.StatusSeeOther)
}
