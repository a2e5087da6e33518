package salesrecipe

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The range every stored time and date must lie in, in Unix seconds: 1970-01-01 up to, not
// including, 2101-01-01 UTC. Every time column of the schema (DateTime64, Date32, and the Unix
// seconds of DateTime) holds it, so no value is ever stored as another one.
const (
	// TimeFromUnix is the earliest supported time.
	TimeFromUnix = 0
	// TimeUntilUnix is the first unsupported time after the range.
	TimeUntilUnix = 4_133_980_800
)

// TimeRange names the supported range in errors.
const TimeRange = "1970-01-01 to 2100-12-31 UTC"

// MaxAmount is the largest amount stored: 15 significant digits, so every amount up to it keeps
// its exact cents through float64 and the Decimal(18, 2) columns.
const MaxAmount = 9_999_999_999_999.99

// InTimeRange reports whether t lies in the supported range [TimeFromUnix, TimeUntilUnix).
func InTimeRange(t time.Time) bool {
	s := t.Unix()
	return s >= TimeFromUnix && s < TimeUntilUnix
}

// WholeCents reports whether v has at most two decimals.
func WholeCents(v float64) bool {
	return math.Round(v*100)/100 == v
}

// FieldError reports one field whose value breaks a rule.
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

// Error renders the problem as `field: value "v": reason`, leaving out an empty value.
func (e FieldError) Error() string {
	if e.Value == "" {
		return e.Field + ": " + e.Reason
	}
	return e.Field + ": value " + strconv.Quote(e.Value) + ": " + e.Reason
}

// ValidationError holds every field problem found in one value.
type ValidationError struct {
	Fields []FieldError
}

// Error joins the field problems with "; ".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes each FieldError to errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f
	}
	return errs
}

// problems gathers field errors; the zero value is ready and allocates only on a problem.
type problems []FieldError

func (p *problems) add(field, value, reason string) {
	*p = append(*p, FieldError{Field: field, Value: value, Reason: reason})
}

func (p *problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		p.add(field, "", "required")
	}
}

// id checks an identifier: required, and free of control characters such as NUL, tab or line breaks.
func (p *problems) id(field, value string) {
	p.required(field, value)
	p.optionalID(field, value)
}

// optionalID checks an identifier that may be empty for control characters.
func (p *problems) optionalID(field, value string) {
	if hasControl(value) {
		p.add(field, value, "control characters (such as NUL, tab or a line break) are not allowed in an id")
	}
}

// hasControl reports whether s holds a control character (unicode.IsControl: C0, DEL or C1),
// byte by byte: it runs on every id of every row loaded.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return true
		}
	}
	return false
}

func (p *problems) requiredTime(field string, t time.Time) {
	if t.IsZero() {
		p.add(field, "", "required")
		return
	}
	p.optionalTime(field, t)
}

// unknownableTime checks an optional time whose absence the store records as the first instant of the supported
// range, 1970-01-01: that instant itself is reserved for "unknown".
func (p *problems) unknownableTime(field string, t time.Time) {
	if !t.IsZero() && t.Unix() == TimeFromUnix {
		p.add(field, formatTime(t), "1970-01-01 stands for an unknown date; leave the value empty instead")
		return
	}
	p.optionalTime(field, t)
}

// optionalTime checks that a time, when set, lies in the supported range.
func (p *problems) optionalTime(field string, t time.Time) {
	if !t.IsZero() && !InTimeRange(t) {
		p.add(field, formatTime(t), "outside the supported range "+TimeRange)
	}
}

func (p *problems) amount(field string, v float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		p.add(field, formatFloat(v), "not a finite number")
	case v < 0:
		p.add(field, formatFloat(v), "must not be negative")
	case v > MaxAmount:
		p.add(field, formatFloat(v), "above the largest amount, "+formatFloat(MaxAmount))
	case !WholeCents(v):
		p.add(field, formatFloat(v), "more than 2 decimals; amounts are stored to the cent")
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: p}
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func formatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}
