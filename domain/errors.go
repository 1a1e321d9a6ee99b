package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that callers can map it to a response without
// parsing messages.
type Code string

const (
	// CodeInvalid means the input breaks a rule; the message says which.
	CodeInvalid Code = "invalid"
	// CodeNotFound means the thing named does not exist for this user.
	CodeNotFound Code = "not_found"
	// CodeConflict means the request clashes with the current state of the books.
	CodeConflict Code = "conflict"
	// CodeForbidden means the caller may not do this.
	CodeForbidden Code = "forbidden"
)

// Error is a rejection a user can read. Field names the input at fault, when
// there is one, so that a form can show the message beside it.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid returns a CodeInvalid error for field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a CodeNotFound error.
func NotFound(format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflict returns a CodeConflict error.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...)}
}

// Forbidden returns a CodeForbidden error.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or "" when
// err is not a domain error (an internal failure).
func ErrorCode(err error) Code {
	var domainErr *Error
	if errors.As(err, &domainErr) {
		return domainErr.Code
	}
	return ""
}
