package ingest

import (
	"strconv"
	"strings"

	"github.com/salesrecipe/salesrecipe"
)

// ValueError reports a single value that could not be parsed, such as a time or an amount.
type ValueError struct {
	What   string // "time", "date" or "amount"
	Value  string
	Reason string
}

// Error renders the problem as `what "value": reason`.
func (e *ValueError) Error() string {
	return e.What + " " + strconv.Quote(e.Value) + ": " + e.Reason
}

// RowError rejects one record: either several field problems or one problem with the whole row.
//
// Reading may go on after a RowError; the record's Raw text can go to a rejects file.
type RowError struct {
	Position
	Raw    string
	Reason string                   // set when the problem is the row itself
	Fields []salesrecipe.FieldError // set when the problems are in named fields
}

// Error renders the problems as `source:line: column c: value "v": reason; ...`.
func (e *RowError) Error() string {
	if len(e.Fields) == 0 {
		return e.Position.String() + ": " + e.Reason
	}
	var b strings.Builder
	b.WriteString(e.Position.String() + ": ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.fieldWord() + " " + f.Error())
	}
	return b.String()
}

// HeaderError reports a header that cannot serve a kind or a mapping, before any row is read.
type HeaderError struct {
	Source  string
	Missing []string // required columns absent from the header
	Doubled []string // needed columns that appear more than once
	Have    []string // the header's columns as written
}

// Error names every missing or doubled column and lists what the header has.
func (e *HeaderError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing required "+plural(len(e.Missing), "column")+" "+strings.Join(e.Missing, ", "))
	}
	if len(e.Doubled) > 0 {
		parts = append(parts, plural(len(e.Doubled), "column")+" "+strings.Join(e.Doubled, ", ")+" appear more than once")
	}
	return e.Source + ": " + strings.Join(parts, "; ") + " (header has: " + strings.Join(e.Have, ", ") + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// DefaultMaxErrors is how many errors a Collector keeps when given no limit.
const DefaultMaxErrors = 50

// Collector keeps the first errors of a run and counts the rest, for strict mode.
type Collector struct {
	limit int
	kept  []error
	total int
}

// NewCollector returns a collector that keeps up to limit errors (DefaultMaxErrors if limit <= 0).
func NewCollector(limit int) *Collector {
	if limit <= 0 {
		limit = DefaultMaxErrors
	}
	return &Collector{limit: limit}
}

// Add records an error; nil is ignored.
func (c *Collector) Add(err error) {
	if err == nil {
		return
	}
	c.total++
	if len(c.kept) < c.limit {
		c.kept = append(c.kept, err)
	}
}

// Len returns how many errors were added, kept or not.
func (c *Collector) Len() int { return c.total }

// Err returns nil when nothing was added, else an *ErrorList of the kept errors and the count of the rest.
func (c *Collector) Err() error {
	if c.total == 0 {
		return nil
	}
	return &ErrorList{Errors: c.kept, More: c.total - len(c.kept)}
}

// ErrorList is the first errors of a run and how many more were left out.
type ErrorList struct {
	Errors []error
	More   int
}

// Error lists one error a line and ends with "... and 1,234 more errors" when some were left out.
func (e *ErrorList) Error() string {
	var b strings.Builder
	for i, err := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	if e.More > 0 {
		b.WriteString("\n... and " + thousands(e.More) + " more " + plural(e.More, "error"))
	}
	return b.String()
}

// Unwrap exposes the kept errors to errors.Is and errors.As.
func (e *ErrorList) Unwrap() []error { return e.Errors }

// thousands renders n with comma thousands separators, as in 1,234.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
