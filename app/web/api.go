package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
)

// jsonBodyBytesMax bounds the JSON body of one API request.
const jsonBodyBytesMax = 256 << 10

// queryTokenParameters are names under which clients put credentials in URLs, where they
// end up in logs, browser history and Referer headers.
var queryTokenParameters = []string{"token", "access_token", "api_token", "api_key", "apikey",
	"key", "bearer", "auth"}

// refuseQueryTokens is API middleware: a request with a credential in its query string is
// refused, even a valid one, so that nobody comes to rely on it.
func (s *Server) refuseQueryTokens(c *fiber.Ctx) error {
	args := c.Context().QueryArgs()
	refused := false
	for _, name := range queryTokenParameters {
		refused = refused || args.Has(name)
	}
	args.VisitAll(func(_, value []byte) {
		refused = refused || bytes.HasPrefix(value, []byte(users.TokenPrefix))
	})
	if refused {
		s.log(c).Warn("api token in query string refused", "path", c.Path(), "ip", s.clientIP(c))
		return newRequestError(fiber.StatusBadRequest, "token_in_query",
			"API tokens are not accepted in the URL; send them in the Authorization header.")
	}
	return c.Next()
}

// authenticateAPI is API middleware: it makes the owner of the bearer token, or the user
// signed in to the session, the current user, and answers 401 otherwise. A request with an
// Authorization header is judged by that header alone, never by its cookies.
func (s *Server) authenticateAPI(c *fiber.Ctx) error {
	authorization := c.Get(fiber.HeaderAuthorization)
	if authorization != "" {
		return s.authenticateBearer(c, authorization)
	}
	if c.Cookies(s.sessionCookieName()) == "" {
		return s.unauthorized(c)
	}

	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	user, valid, err := s.sessionUser(c.UserContext(), sess.data)
	if err != nil {
		return err
	}
	if !valid {
		return s.unauthorized(c)
	}
	c.Locals(userKey, user)
	return c.Next()
}

func (s *Server) authenticateBearer(c *fiber.Ctx, authorization string) error {
	scheme, secret, found := strings.Cut(authorization, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return s.unauthorized(c)
	}

	user, token, err := s.users.AuthenticateToken(c.UserContext(), strings.TrimSpace(secret))
	if errors.Is(err, users.ErrTokenUnknown) || errors.Is(err, users.ErrDisabled) {
		s.log(c).Warn("api token rejected", "reason", err.Error(), "path", c.Path(),
			"ip", s.clientIP(c))
		return s.unauthorized(c)
	}
	if err != nil {
		return err
	}

	c.Locals(userKey, user)
	s.log(c).Debug("api token used", "user_id", user.ID.String(), "token_id", token.ID.String())
	return c.Next()
}

func (s *Server) unauthorized(c *fiber.Ctx) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="folio"`)
	return newRequestError(fiber.StatusUnauthorized, "unauthorized",
		"Send a valid API token as Authorization: Bearer <token>, or sign in.")
}

// decodeJSON reads the request's JSON body into dst. Fields dst does not have are ignored
// (never applied); a wrong content type is 415, a body over jsonBodyBytesMax 413, and
// anything that is not one JSON value of the right shape 400.
func decodeJSON(c *fiber.Ctx, dst any) error {
	mediaType, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mediaType != fiber.MIMEApplicationJSON {
		return newRequestError(fiber.StatusUnsupportedMediaType, "unsupported_media_type",
			"Send the body as application/json.")
	}
	body := c.Body()
	if len(body) > jsonBodyBytesMax {
		return newRequestError(fiber.StatusRequestEntityTooLarge, "too_large",
			"The request body is too large.")
	}

	decoder := json.NewDecoder(bytes.NewReader(body))
	err = decoder.Decode(dst)
	if err != nil {
		return newRequestError(fiber.StatusBadRequest, "bad_json", jsonProblem(err))
	}
	if decoder.More() {
		return newRequestError(fiber.StatusBadRequest, "bad_json",
			"The body must hold exactly one JSON object.")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return "The field " + typeErr.Field + " has the wrong type."
	}
	return "The body is not valid JSON."
}
