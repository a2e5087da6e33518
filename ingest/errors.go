package ingest

import (
	"slices"
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

// groupExamples is how many rows an ErrorGroup names.
const groupExamples = 5

// maxGroups bounds the distinct (column, reason) groups a Collector tracks; rows past it are only counted.
const maxGroups = 1000

// Collector keeps the first errors of a run, counts the rest and groups them all by column and reason, for strict mode.
type Collector struct {
	limit  int
	kept   []error
	total  int
	groups map[groupKey]*ErrorGroup
	order  []*ErrorGroup
	other  int // errors past maxGroups distinct groups
}

// groupKey is what makes two errors the same problem.
type groupKey struct{ field, reason string }

// NewCollector returns a collector that keeps up to limit errors (DefaultMaxErrors if limit <= 0).
func NewCollector(limit int) *Collector {
	if limit <= 0 {
		limit = DefaultMaxErrors
	}
	return &Collector{limit: limit, groups: map[groupKey]*ErrorGroup{}}
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
	re, ok := err.(*RowError)
	switch {
	case !ok:
		c.group(groupKey{reason: err.Error()}, Position{}, "", "")
	case len(re.Fields) == 0:
		c.group(groupKey{reason: re.Reason}, re.Position, "", "")
	default:
		for _, f := range re.Fields {
			c.group(groupKey{field: f.Field, reason: f.Reason}, re.Position, re.fieldWord(), f.Value)
		}
	}
}

// group counts one problem in its group and keeps the first rows as examples.
func (c *Collector) group(k groupKey, pos Position, word, value string) {
	g := c.groups[k]
	if g == nil {
		if len(c.order) >= maxGroups {
			c.other++
			return
		}
		g = &ErrorGroup{Field: k.field, Word: word, Reason: k.reason}
		c.groups[k] = g
		c.order = append(c.order, g)
	}
	g.Rows++
	if len(g.Lines) < groupExamples {
		g.Lines = append(g.Lines, pos)
		g.Values = append(g.Values, value)
	}
}

// Len returns how many errors were added, kept or not.
func (c *Collector) Len() int { return c.total }

// Err returns nil when nothing was added, else an *ErrorList of the kept errors, the count of the
// rest, and the groups by column and reason, largest first, up to the collector's limit.
func (c *Collector) Err() error {
	if c.total == 0 {
		return nil
	}
	groups := make([]ErrorGroup, len(c.order))
	for i, g := range c.order {
		groups[i] = *g
	}
	slices.SortStableFunc(groups, func(a, b ErrorGroup) int { return b.Rows - a.Rows })
	other := c.other
	if len(groups) > c.limit {
		for _, g := range groups[c.limit:] {
			other += g.Rows
		}
		groups = groups[:c.limit]
	}
	return &ErrorList{Errors: c.kept, More: c.total - len(c.kept), Groups: groups, OtherProblems: other}
}

// ErrorGroup is every problem of one column and reason in a load: how many rows, and the first of them.
type ErrorGroup struct {
	// Field is the column or field as the input names it; empty for a problem with the whole row.
	Field string
	// Word is what the input calls a field: "column" in CSV, "field" in JSON.
	Word string
	// Reason is what is wrong.
	Reason string
	// Rows counts the rows with this problem.
	Rows int
	// Lines are the first rows with the problem, and Values their values ("" where the value is empty).
	Lines  []Position
	Values []string
}

// Error renders a single row as `source:line: column c: value "v": reason` and a larger group as
// `column c: reason (2,089 rows; deals.csv lines 2, 3, 5, 8, 13, ...; values "x", "y")`.
func (g ErrorGroup) Error() string {
	what := g.Reason
	if g.Field != "" {
		what = g.Word + " " + g.Field + ": " + what
	}
	if g.Rows == 1 && len(g.Lines) == 1 {
		if g.Lines[0].Source == "" {
			return what
		}
		if g.Field != "" && g.Values[0] != "" {
			what = g.Word + " " + salesrecipe.FieldError{Field: g.Field, Value: g.Values[0], Reason: g.Reason}.Error()
		}
		return g.Lines[0].String() + ": " + what
	}
	parts := []string{thousands(g.Rows) + " " + plural(g.Rows, "row")}
	if lines := g.lines(); lines != "" {
		parts = append(parts, lines)
	}
	if values := g.values(); values != "" {
		parts = append(parts, values)
	}
	return what + " (" + strings.Join(parts, "; ") + ")"
}

// lines renders the example rows: "deals.csv lines 2, 3, ..." when they share an input, else "lines a.csv:2, b.csv:3".
func (g ErrorGroup) lines() string {
	if len(g.Lines) == 0 || g.Lines[0].Source == "" {
		return ""
	}
	same := !slices.ContainsFunc(g.Lines, func(p Position) bool { return p.Source != g.Lines[0].Source })
	word := "lines"
	if g.Lines[0].Format == FormatJSON {
		word = "elements"
	}
	nums := make([]string, len(g.Lines))
	for i, p := range g.Lines {
		nums[i] = p.String()
		if same {
			nums[i] = strconv.Itoa(p.Line)
		}
	}
	if g.Rows > len(g.Lines) {
		nums = append(nums, "...")
	}
	if same {
		return g.Lines[0].Source + " " + word + " " + strings.Join(nums, ", ")
	}
	return word + " " + strings.Join(nums, ", ")
}

// values renders the distinct non-empty example values, quoted.
func (g ErrorGroup) values() string {
	var vs []string
	for _, v := range g.Values {
		q := strconv.Quote(v)
		if v != "" && !slices.Contains(vs, q) {
			vs = append(vs, q)
		}
	}
	if len(vs) == 0 {
		return ""
	}
	return plural(len(vs), "value") + " " + strings.Join(vs, ", ")
}

// ErrorList is the errors of a run: the first ones, how many more were left out, and every
// problem grouped by column and reason.
type ErrorList struct {
	// Errors are the first errors, one per row; More counts those left out.
	Errors []error
	More   int
	// Groups are the problems by column and reason, largest first; OtherProblems counts the
	// problems of groups left out.
	Groups        []ErrorGroup
	OtherProblems int
}

// Error lists one group a line, largest first, and ends with "... and 1,234 more problems" when groups
// were left out; a list without groups lists its errors and ends with "... and 1,234 more errors".
func (e *ErrorList) Error() string {
	var b strings.Builder
	if len(e.Groups) > 0 {
		for i, g := range e.Groups {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(g.Error())
		}
		if e.OtherProblems > 0 {
			b.WriteString("\n... and " + thousands(e.OtherProblems) + " more " + plural(e.OtherProblems, "problem") + " of other columns or reasons")
		}
		return b.String()
	}
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
