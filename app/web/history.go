package web

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

// historyView is the data of pages/history.html.
type historyView struct {
	OwnerEmail string
	Audited    bool
	BookParam  string // the book query parameter to keep in links, or ""

	Form    historyForm
	Errors  map[string]string
	Types   []historyChoice
	Actors  []historyChoice
	Entries []historyEntry

	NewestURL string // set on pages after the first
	OlderURL  string // set when older events pass the filter
}

// historyForm is the filter form as typed.
type historyForm struct {
	Type  string
	From  string
	To    string
	Actor string
}

// historyEntry is one event as the history lists it.
type historyEntry struct {
	Version        int64
	Type           string
	RecordedAt     string
	AccountingDate string
	Actor          string
	RequestID      string
	eventDescription
}

var eventTypePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)

// historyPage answers GET /history[?type=&from=&to=&actor=&before=]: the book's events,
// newest first, as the owner or an auditor sees them.
func (s *Server) historyPage(c *fiber.Ctx) error {
	access := bookAccessOf(c)
	data := historyView{OwnerEmail: access.OwnerEmail, Audited: access.audited(),
		BookParam: c.Query(bookQueryParameter),
		Form: historyForm{Type: c.Query("type"), From: c.Query("from"), To: c.Query("to"),
			Actor: c.Query("actor")}}
	ctx := c.UserContext()

	var err error
	data.Types, data.Actors, err = s.historyFilterChoices(ctx, access.OwnerID)
	if err != nil {
		return err
	}
	filter, err := parseHistoryFilter(data.Form, c.Query("before"))
	if domain.ErrorCode(err) == domain.CodeInvalid {
		data.Errors = fieldErrors(err)
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "history", "history_list", data)
	}
	if err != nil {
		return err
	}

	events, err := s.historyEvents(ctx, access.OwnerID, filter, historyPageSize+1)
	if err != nil {
		return err
	}
	if len(events) > historyPageSize {
		events = events[:historyPageSize]
		data.OlderURL = data.pageURL(events[historyPageSize-1].Version)
	}
	if filter.Before > 0 {
		data.NewestURL = data.pageURL(0)
	}
	data.Entries, err = s.describeHistory(c, access.OwnerID, events)
	if err != nil {
		return err
	}
	return s.render(c, "history", "history_list", data)
}

// parseHistoryFilter checks the filter form and the page cursor.
func parseHistoryFilter(form historyForm, before string) (historyFilter, error) {
	var filter historyFilter
	var err error
	if form.Type != "" && !eventTypePattern.MatchString(form.Type) {
		return filter, domain.Invalid("type", "choose a type from the list")
	}
	filter.Type = form.Type
	if form.From != "" {
		if filter.From, err = domain.ParseDate("from", form.From); err != nil {
			return filter, err
		}
	}
	if form.To != "" {
		if filter.To, err = domain.ParseDate("to", form.To); err != nil {
			return filter, err
		}
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && filter.To.Before(filter.From) {
		return filter, domain.Invalid("to", "the end of the range comes before its start")
	}
	if form.Actor != "" {
		if filter.Actor, err = uuid.Parse(form.Actor); err != nil {
			return filter, domain.Invalid("actor", "choose a person from the list")
		}
	}
	if before != "" {
		filter.Before, err = strconv.ParseInt(before, 10, 64)
		if err != nil || filter.Before < 1 {
			return filter, domain.Invalid("before", "use the links below the list")
		}
	}
	return filter, nil
}

// pageURL links to the history page that lists events below version before (0: the newest)
// with the same filters.
func (v historyView) pageURL(before int64) string {
	query := url.Values{}
	for name, value := range map[string]string{"type": v.Form.Type, "from": v.Form.From,
		"to": v.Form.To, "actor": v.Form.Actor, bookQueryParameter: v.BookParam} {
		if value != "" {
			query.Set(name, value)
		}
	}
	if before > 0 {
		query.Set("before", strconv.FormatInt(before, 10))
	}
	if len(query) == 0 {
		return "/history"
	}
	return "/history?" + query.Encode()
}

// describeHistory puts a page of events into words.
func (s *Server) describeHistory(c *fiber.Ctx, ownerID uuid.UUID,
	events []historyEvent) ([]historyEntry, error) {
	ctx := c.UserContext()
	previous, err := s.previousVersions(ctx, ownerID, events)
	if err != nil {
		return nil, err
	}
	names, err := s.accountNames(ctx, ownerID)
	if err != nil {
		return nil, err
	}

	entries := make([]historyEntry, len(events))
	for i, e := range events {
		actor := e.ActorEmail
		if actor == "" {
			actor = "system (" + strings.SplitN(e.ActorID.String(), "-", 2)[0] + ")"
		}
		entries[i] = historyEntry{Version: e.Version, Type: eventTypeLabel(e.Type),
			RecordedAt: recordedDay(e.RecordedAt), Actor: actor, RequestID: e.RequestID,
			eventDescription: describeEvent(e.Event, previous[e.Version], names)}
	}
	return entries, nil
}
