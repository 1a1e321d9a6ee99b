package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

const dateLayout = "2006-01-02"

// Date is a calendar day, the accounting date a transaction belongs to. It
// carries no time of day and no zone. The zero Date means "no date".
type Date struct {
	day time.Time // always midnight UTC
}

// ParseDate reads a date written as YYYY-MM-DD.
func ParseDate(field, text string) (Date, error) {
	day, err := time.Parse(dateLayout, text)
	if err != nil {
		return Date{}, Invalid(field, "%q is not a date: use YYYY-MM-DD", text)
	}
	if day.Year() < 1900 || day.Year() > 2999 {
		return Date{}, Invalid(field, "%s is outside the years 1900 to 2999", text)
	}
	return Date{day: day}, nil
}

// MustDate parses a date known to be valid, for tests and constants.
func MustDate(text string) Date {
	date, err := ParseDate("date", text)
	if err != nil {
		panic(err)
	}
	return date
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	return Date{day: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.day.IsZero() }

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool { return d.day.Before(other.day) }

// After reports whether d is later than other.
func (d Date) After(other Date) bool { return d.day.After(other.day) }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.day }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{day: d.day.AddDate(0, 0, n)} }

// FirstOfMonth returns the first day of d's month.
func (d Date) FirstOfMonth() Date {
	return Date{day: time.Date(d.day.Year(), d.day.Month(), 1, 0, 0, 0, 0, time.UTC)}
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.day.Format(dateLayout)
}

// MarshalJSON writes d as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD" or "". Dates are decoded for every
// event of every fold, so it reads the quoted text directly.
func (d *Date) UnmarshalJSON(data []byte) error {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("date: %s is not a quoted YYYY-MM-DD", data)
	}
	text := string(data[1 : len(data)-1])
	if text == "" {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate("date", text)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
