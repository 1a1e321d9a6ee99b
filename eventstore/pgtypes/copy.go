package pgtypes

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// CopyFrom writes rows into table with a binary COPY, like pgx.Conn.CopyFrom,
// but encodes the values read models are made of (ids, text, integers,
// dates, amounts, text arrays) itself. pgx looks up an encode plan for every
// value through interfaces and sends every amount through math/big; in a
// rebuild that was a quarter of the CPU time. Any other value goes through
// the connection's type map, so the result is the same either way.
func CopyFrom(ctx context.Context, conn *pgx.Conn, table pgx.Identifier, columns []string, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	quoted := make([]string, len(columns))
	for i, column := range columns {
		quoted[i] = pgx.Identifier{column}.Sanitize()
	}
	list := strings.Join(quoted, ", ")
	described, err := conn.PgConn().Prepare(ctx, "", "SELECT "+list+" FROM "+table.Sanitize(), nil)
	if err != nil {
		return 0, fmt.Errorf("describe %s: %w", table.Sanitize(), err)
	}
	oids := make([]uint32, len(described.Fields))
	for i, field := range described.Fields {
		oids[i] = field.DataTypeOID
	}

	reader, writer := io.Pipe()
	encoded := make(chan struct{})
	go func() {
		defer close(encoded)
		encoder := copyEncoder{types: conn.TypeMap(), oids: oids}
		writer.CloseWithError(encoder.stream(writer, rows))
	}()
	tag, err := conn.PgConn().CopyFrom(ctx, reader, "COPY "+table.Sanitize()+" ("+list+") FROM STDIN (FORMAT binary)")
	_ = reader.CloseWithError(errCopyDone) // unblocks the encoder if the server stopped reading
	<-encoded
	return tag.RowsAffected(), err
}

// Numeric64 is an exact number of at most 18 digits, Coefficient×10^Exponent,
// for rows that CopyFrom writes: it encodes it without math/big, and as a
// value of two words it costs a row no pointer for the garbage collector to
// follow. pgx encodes it too, through NumericValue.
type Numeric64 struct {
	Coefficient int64
	Exponent    int32
}

// NumericValue implements pgtype.NumericValuer.
func (n Numeric64) NumericValue() (pgtype.Numeric, error) {
	return pgtype.Numeric{Int: big.NewInt(n.Coefficient), Exp: n.Exponent, Valid: true}, nil
}

// Date is a calendar date counted in days from 2000-01-01, as PostgreSQL
// counts them, for rows that CopyFrom writes. pgx encodes it too, through
// DateValue.
type Date int32

// DateOf returns the calendar date of t where it is. Dates beyond the
// range of a Date saturate, and PostgreSQL refuses them as out of range.
func DateOf(t time.Time) Date {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	days := (day.Unix() - postgresEpoch.Unix()) / 86400
	return Date(max(min(days, math.MaxInt32), math.MinInt32))
}

// DateValue implements pgtype.DateValuer.
func (d Date) DateValue() (pgtype.Date, error) {
	return pgtype.Date{Time: postgresEpoch.AddDate(0, 0, int(d)), Valid: true}, nil
}

var errCopyDone = errors.New("copy ended")

// copyChunk is how many encoded bytes go to the connection at a time, so
// that the server parses one chunk while the next is encoded.
const copyChunk = 64 << 10

type copyEncoder struct {
	types *pgtype.Map
	oids  []uint32
}

func (e copyEncoder) stream(w io.Writer, rows [][]any) error {
	buf := make([]byte, 0, copyChunk+4096)
	buf = append(buf, "PGCOPY\n\377\r\n\000"...)
	buf = binary.BigEndian.AppendUint32(buf, 0) // flags
	buf = binary.BigEndian.AppendUint32(buf, 0) // header extension length
	for _, row := range rows {
		var err error
		if buf, err = e.row(buf, row); err != nil {
			return err
		}
		if len(buf) >= copyChunk {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = binary.BigEndian.AppendUint16(buf, 0xffff) // end of data: a field count of -1
	_, err := w.Write(buf)
	return err
}

func (e copyEncoder) row(buf []byte, values []any) ([]byte, error) {
	if len(values) != len(e.oids) {
		return nil, fmt.Errorf("copy: a row has %d values for %d columns", len(values), len(e.oids))
	}
	count, ok := toInt16(int64(len(values)))
	if !ok {
		return nil, fmt.Errorf("copy: a row of %d values is too wide", len(values))
	}
	buf = appendInt16(buf, count)
	for i, value := range values {
		var err error
		if buf, err = e.field(buf, e.oids[i], value); err != nil {
			return nil, fmt.Errorf("copy: column %d: %w", i+1, err)
		}
	}
	return buf, nil
}

// field appends one value with its length, or -1 for NULL.
func (e copyEncoder) field(buf []byte, oid uint32, value any) ([]byte, error) {
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	body, ok, null := appendDirect(buf, oid, value)
	if !ok {
		encoded, err := e.types.Encode(oid, pgtype.BinaryFormatCode, value, buf)
		if err != nil {
			return nil, err
		}
		body, null = encoded, encoded == nil
	}
	if null {
		return appendInt32(buf[:start], -1), nil
	}
	length, ok := toInt32(int64(len(body) - start - 4))
	if !ok {
		return nil, fmt.Errorf("a value of %d bytes is too large", len(body)-start-4)
	}
	appendInt32(body[start:start], length) // over the 4 bytes reserved at start
	return body, nil
}

// appendDirect appends value in the binary format of oid when it is one of
// the pairs it knows; ok is false otherwise, and for values it would have to
// reject (an out-of-range integer), which pgx then reports.
func appendDirect(buf []byte, oid uint32, value any) (out []byte, ok, null bool) {
	switch v := value.(type) {
	case nil:
		return buf, true, true
	case string:
		if oid == pgtype.TextOID || oid == pgtype.VarcharOID {
			return append(buf, v...), true, false
		}
	case pgtype.UUID:
		if oid == pgtype.UUIDOID {
			if !v.Valid {
				return buf, true, true
			}
			return append(buf, v.Bytes[:]...), true, false
		}
	case uuid.UUID:
		if oid == pgtype.UUIDOID {
			return append(buf, v[:]...), true, false
		}
	case int64:
		return appendInteger(buf, oid, v)
	case int:
		return appendInteger(buf, oid, int64(v))
	case int32:
		return appendInteger(buf, oid, int64(v))
	case bool:
		if oid == pgtype.BoolOID {
			if v {
				return append(buf, 1), true, false
			}
			return append(buf, 0), true, false
		}
	case time.Time:
		return appendTime(buf, oid, v)
	case pgtype.Numeric:
		if oid == pgtype.NumericOID && v.Valid && !v.NaN && v.InfinityModifier == pgtype.Finite && v.Int != nil && v.Int.IsInt64() {
			return appendNumeric(buf, v.Int.Int64(), v.Exp)
		}
	case Numeric64:
		if oid == pgtype.NumericOID {
			return appendNumeric(buf, v.Coefficient, v.Exponent)
		}
	case Date:
		if oid == pgtype.DateOID {
			return appendInt32(buf, int32(v)), true, false
		}
	case decimal.Decimal:
		if oid == pgtype.NumericOID && v.NumDigits() <= 18 {
			return appendNumeric(buf, v.CoefficientInt64(), v.Exponent())
		}
	case []string:
		if oid == pgtype.TextArrayOID {
			if v == nil {
				return buf, true, true
			}
			out, ok := appendTextArray(buf, v)
			return out, ok, false
		}
	case []byte:
		if oid == pgtype.ByteaOID {
			if v == nil {
				return buf, true, true
			}
			return append(buf, v...), true, false
		}
	}
	return buf, false, false
}

func appendInteger(buf []byte, oid uint32, v int64) ([]byte, bool, bool) {
	switch oid {
	case pgtype.Int8OID:
		return appendInt64(buf, v), true, false
	case pgtype.Int4OID:
		if v32, ok := toInt32(v); ok {
			return appendInt32(buf, v32), true, false
		}
	case pgtype.Int2OID:
		if v16, ok := toInt16(v); ok {
			return appendInt16(buf, v16), true, false
		}
	}
	return buf, false, false
}

// postgresEpoch is where PostgreSQL counts dates and timestamps from.
var postgresEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func appendTime(buf []byte, oid uint32, t time.Time) ([]byte, bool, bool) {
	if t.Year() < 1 || t.Year() > 9999 {
		return buf, false, false // let pgx encode or refuse it
	}
	switch oid {
	case pgtype.DateOID:
		// The calendar date of t where it is, as pgx takes it.
		return appendInt32(buf, int32(DateOf(t))), true, false
	case pgtype.TimestamptzOID:
		// Whole microseconds, rounded down, as pgx counts them.
		micros := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - postgresEpoch.Unix()*1_000_000
		return appendInt64(buf, micros), true, false
	}
	return buf, false, false
}

// appendNumeric appends coefficient×10^exponent in numeric's binary form:
// base-10000 digits, most significant first, the weight of the first
// digit, the sign and the display scale (digits after the point).
func appendNumeric(buf []byte, coefficient int64, exponent int32) ([]byte, bool, bool) {
	negative := coefficient < 0
	magnitude := absolute(coefficient)
	scale := 0
	switch {
	case exponent > 0:
		for ; exponent > 0; exponent-- {
			if magnitude > math.MaxUint64/10 {
				return buf, false, false
			}
			magnitude *= 10
		}
	case exponent < 0:
		scale = int(-exponent)
		if scale > 1000 {
			return buf, false, false
		}
	}
	// Pad the fraction to whole base-10000 digits.
	for padded := scale; padded%4 != 0; padded++ {
		if magnitude > math.MaxUint64/10 {
			return buf, false, false
		}
		magnitude *= 10
	}
	fractionDigits := (scale + 3) / 4

	var digits [20]uint16 // little-endian: digits[0] is the least significant
	n := 0
	for ; magnitude > 0; magnitude /= 10000 {
		digits[n] = uint16(magnitude % 10000)
		n++
	}
	if n == 0 {
		buf = binary.BigEndian.AppendUint16(buf, 0) // ndigits
		buf = binary.BigEndian.AppendUint16(buf, 0) // weight
		buf = binary.BigEndian.AppendUint16(buf, 0) // sign: positive
		return binary.BigEndian.AppendUint16(buf, uint16(scale)), true, false
	}
	weight := n - 1 - fractionDigits
	low := 0
	for digits[low] == 0 {
		low++ // trailing zero digits need not be sent
	}
	sign := uint16(0)
	if negative {
		sign = 0x4000
	}
	// At most 20 digits and a weight between -251 and 19: both fit.
	ndigits, _ := toInt16(int64(n - low))
	weight16, _ := toInt16(int64(weight))
	buf = appendInt16(buf, ndigits)
	buf = appendInt16(buf, weight16)
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(scale))
	for i := n - 1; i >= low; i-- {
		buf = binary.BigEndian.AppendUint16(buf, digits[i])
	}
	return buf, true, false
}

// appendTextArray appends a one-dimensional text[] without NULLs, or is
// not ok for one too large for the format, which pgx then refuses.
func appendTextArray(buf []byte, values []string) ([]byte, bool) {
	if len(values) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0) // dimensions
		buf = binary.BigEndian.AppendUint32(buf, 0) // has NULLs
		return binary.BigEndian.AppendUint32(buf, pgtype.TextOID), true
	}
	count, ok := toInt32(int64(len(values)))
	if !ok {
		return buf, false
	}
	buf = binary.BigEndian.AppendUint32(buf, 1)
	buf = binary.BigEndian.AppendUint32(buf, 0)
	buf = binary.BigEndian.AppendUint32(buf, pgtype.TextOID)
	buf = appendInt32(buf, count)
	buf = binary.BigEndian.AppendUint32(buf, 1) // lower bound
	for _, value := range values {
		length, ok := toInt32(int64(len(value)))
		if !ok {
			return buf, false
		}
		buf = appendInt32(buf, length)
		buf = append(buf, value...)
	}
	return buf, true
}

// The binary format sends signed integers big-endian in two's complement;
// these helpers put that reinterpretation of the bits in one place each.

func appendInt16(buf []byte, v int16) []byte {
	// #nosec G115 -- two's complement on purpose: the wire format's signed int16
	return binary.BigEndian.AppendUint16(buf, uint16(v))
}

func appendInt32(buf []byte, v int32) []byte {
	// #nosec G115 -- two's complement on purpose: the wire format's signed int32
	return binary.BigEndian.AppendUint32(buf, uint32(v))
}

func appendInt64(buf []byte, v int64) []byte {
	// #nosec G115 -- two's complement on purpose: the wire format's signed int64
	return binary.BigEndian.AppendUint64(buf, uint64(v))
}

// absolute returns |v| as an unsigned number, |math.MinInt64| included.
func absolute(v int64) uint64 {
	if v < 0 {
		// #nosec G115 -- -(v+1) is non-negative, and adding one restores |v|
		return uint64(-(v + 1)) + 1
	}
	// #nosec G115 -- v is non-negative here
	return uint64(v)
}

func toInt16(v int64) (int16, bool) {
	if v < math.MinInt16 || v > math.MaxInt16 {
		return 0, false
	}
	// #nosec G115 -- within range, checked above
	return int16(v), true
}

func toInt32(v int64) (int32, bool) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	// #nosec G115 -- within range, checked above
	return int32(v), true
}
