package web

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/eventstore"
)

// Page sizes of GET /api/v1/events.
const (
	eventsPageSizeDefault = 100
	eventsPageSizeMax     = 1000
)

// eventJSON is one stored event. Data is the payload exactly as stored and hashed;
// RecordedAt is RFC 3339 in UTC to the microsecond, as the hash covers it.
type eventJSON struct {
	Version       int64           `json:"version"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	RecordedAt    string          `json:"recorded_at"`
	ActorID       string          `json:"actor_id"`
	CommandID     string          `json:"command_id"`
	RequestID     string          `json:"request_id"`
	Data          json.RawMessage `json:"data"`
	Hash          string          `json:"hash"`
}

// eventsResponse is one page of GET /api/v1/events. NextAfter is the version of the last
// event on the page (the after of the request when the page is empty): pass it as after to
// read on. A page shorter than the limit is the end of the stream for now.
type eventsResponse struct {
	Events    []eventJSON `json:"events"`
	NextAfter int64       `json:"next_after"`
}

// errPageFull stops reading the stream once a page holds limit events.
var errPageFull = errors.New("page full")

// apiEvents answers GET /api/v1/events?after=<version>&limit= with the events of the books
// after that version, in order.
func (s *Server) apiEvents(c *fiber.Ctx) error {
	limit, err := queryNumber(c, "limit", eventsPageSizeDefault, 1, eventsPageSizeMax)
	if err != nil {
		return err
	}
	after, err := queryNumber(c, "after", 0, 0, math.MaxInt64-eventsPageSizeMax)
	if err != nil {
		return err
	}

	response := eventsResponse{Events: make([]eventJSON, 0, limit), NextAfter: after}
	// Versions are gapless, so after+limit bounds the query itself; the check in the callback
	// only guards the page size.
	err = eventstore.ReadStream(c.UserContext(), s.pool, bookOf(c), after, after+limit,
		func(event eventstore.RecordedEvent) error {
			if int64(len(response.Events)) >= limit {
				return errPageFull
			}
			response.Events = append(response.Events, eventJSONOf(event))
			response.NextAfter = event.Version
			return nil
		})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	return c.JSON(response)
}

func eventJSONOf(event eventstore.RecordedEvent) eventJSON {
	return eventJSON{
		Version:       event.Version,
		Type:          event.Type,
		SchemaVersion: event.SchemaVersion,
		RecordedAt:    event.RecordedAt.UTC().Format(time.RFC3339Nano),
		ActorID:       event.ActorID.String(),
		CommandID:     event.CommandID.String(),
		RequestID:     event.RequestID,
		Data:          json.RawMessage(event.Payload),
		Hash:          hex.EncodeToString(event.Hash),
	}
}
