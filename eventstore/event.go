package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"folio/domain"
)

// AnyVersion skips the expected-version check of an append.
const AnyVersion int64 = -1

// RecordedEvent is an event as stored: the domain event plus where, when and
// by whom it was appended.
type RecordedEvent struct {
	UserID        uuid.UUID
	Version       int64
	Position      int64
	Type          string
	SchemaVersion int
	Payload       []byte // exactly the bytes that were hashed
	RecordedAt    time.Time
	ActorID       uuid.UUID
	CommandID     uuid.UUID
	RequestID     string
	Hash          []byte
	Event         domain.Event
}

// VersionConflictError reports that a stream moved on since the caller read it.
type VersionConflictError struct {
	UserID   uuid.UUID
	Expected int64
	Actual   int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("books of %s changed: expected version %d, found %d", e.UserID, e.Expected, e.Actual)
}

// IsVersionConflict reports whether err is a *VersionConflictError.
func IsVersionConflict(err error) bool {
	var conflict *VersionConflictError
	return errors.As(err, &conflict)
}

// hashVersion names the canonical encoding below; it is part of every hash so
// that a future encoding can never collide with this one.
const hashVersion = "folio-event-hash-v1"

// ChainHash computes an event's hash from the previous event's hash and the
// event's stored fields: SHA-256 over the previous hash followed by the
// canonical encoding of the event. Every field is taken as PostgreSQL stores
// it (recorded_at to the microsecond), so the hash recomputes from the row.
func ChainHash(previous []byte, e *RecordedEvent) []byte {
	h := sha256.New()
	writeBytes := func(b []byte) {
		var length [8]byte
		binary.BigEndian.PutUint64(length[:], uint64(len(b)))
		h.Write(length[:])
		h.Write(b)
	}
	writeInt := func(n int64) {
		var buf [8]byte
		// #nosec G115 -- the hash takes the two's complement bits of n as they are; nothing is lost
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	writeBytes([]byte(hashVersion))
	writeBytes(previous)
	h.Write(e.UserID[:])
	writeInt(e.Version)
	writeBytes([]byte(e.Type))
	writeInt(int64(e.SchemaVersion))
	writeBytes(e.Payload)
	writeInt(e.RecordedAt.UnixMicro())
	h.Write(e.ActorID[:])
	h.Write(e.CommandID[:])
	writeBytes([]byte(e.RequestID))
	return h.Sum(nil)
}
