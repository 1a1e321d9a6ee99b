package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

// grantsView is the data of pages/grants.html: who may read the user's books, whose books
// the user may read, and who read what.
type grantsView struct {
	Grants []auditGrant
	Email  string // typed into a rejected form
	Errors map[string]string

	SharedWithMe []auditGrant
	Reading      uuid.UUID // the owner whose books the user switched into, or uuid.Nil

	AccessLog       []accessEntry
	AccessLogBefore int64 // the id to continue the log from, or 0 at its end
}

// grantsPage answers GET /grants[?log_before=<id>].
func (s *Server) grantsPage(c *fiber.Ctx) error {
	before, err := strconv.ParseInt(c.Query("log_before", "0"), 10, 64)
	if err != nil || before < 0 {
		return domain.Invalid("log_before", "use the link under the access log")
	}

	data, err := s.loadGrants(c, before)
	if err != nil {
		return err
	}
	return s.render(c, "grants", "access_log", data)
}

// loadGrants gathers the grants page of the signed-in user. Grants belong to the account,
// not to the books on screen, so they are always the user's own.
func (s *Server) loadGrants(c *fiber.Ctx, logBefore int64) (grantsView, error) {
	ctx := c.UserContext()
	user := currentUser(c)
	var data grantsView
	var err error
	if data.Grants, err = s.grantsByOwner(ctx, user.ID); err != nil {
		return grantsView{}, err
	}
	if data.SharedWithMe, err = s.grantsToAuditor(ctx, user); err != nil {
		return grantsView{}, err
	}
	if access := bookAccessOf(c); access.audited() {
		data.Reading = access.OwnerID
	}

	data.AccessLog, err = s.accessLog(ctx, user.ID, logBefore, accessLogPageSize+1)
	if err != nil {
		return grantsView{}, err
	}
	if len(data.AccessLog) > accessLogPageSize {
		data.AccessLog = data.AccessLog[:accessLogPageSize]
		data.AccessLogBefore = data.AccessLog[accessLogPageSize-1].ID
	}
	return data, nil
}

// createGrantForm answers POST /grants (email): the owner gives a registered user read-only
// access to their books.
func (s *Server) createGrantForm(c *fiber.Ctx) error {
	user := currentUser(c)
	email := c.FormValue("email")

	grant, err := s.createGrant(c.UserContext(), user, email)
	code := domain.ErrorCode(err)
	if code == domain.CodeInvalid || code == domain.CodeConflict {
		return s.grantRejected(c, email, err)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("auditor access granted", "user_id", user.ID.String(),
		"grant_id", grant.ID.String(), "auditor_id", grant.AuditorID.String())
	if !isHTMX(c) {
		return c.Redirect("/grants", fiber.StatusSeeOther)
	}
	data, err := s.loadGrants(c, 0)
	if err != nil {
		return err
	}
	return s.render(c, "grants", "grants_list", data)
}

func (s *Server) grantRejected(c *fiber.Ctx, email string, err error) error {
	data, loadErr := s.loadGrants(c, 0)
	if loadErr != nil {
		return loadErr
	}
	data.Email = strings.TrimSpace(email)
	data.Errors = fieldErrors(err)
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "grants", "grants_list", data)
}

// revokeGrantForm answers POST /grants/:id/revoke. The auditor sees nothing of the books
// from the next request on. Another owner's grant and a made-up id get the same 404.
func (s *Server) revokeGrantForm(c *fiber.Ctx) error {
	user := currentUser(c)
	grantID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("no such grant")
	}

	err = s.revokeGrant(c.UserContext(), user.ID, grantID)
	if err != nil {
		return err
	}

	s.log(c).Info("auditor access revoked", "user_id", user.ID.String(),
		"grant_id", grantID.String())
	if !isHTMX(c) {
		return c.Redirect("/grants", fiber.StatusSeeOther)
	}
	data, err := s.loadGrants(c, 0)
	if err != nil {
		return err
	}
	return s.render(c, "grants", "grants_list", data)
}
