package salesrecipe

import (
	"math"
	"strconv"
	"strings"
	"time"
)

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

func (p *problems) requiredTime(field string, t time.Time) {
	if t.IsZero() {
		p.add(field, "", "required")
	}
}

func (p *problems) amount(field string, v float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		p.add(field, formatFloat(v), "not a finite number")
	case v < 0:
		p.add(field, formatFloat(v), "must not be negative")
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
