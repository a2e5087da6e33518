package ingest

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Converter turns records of one kind into validated domain values.
//
// It caches where its columns are in the last header it saw, so one Converter serves one
// source at a time and is not safe for concurrent use.
type Converter[T any] struct {
	kind     Kind
	loc      *time.Location
	cols     []column
	idx      []int
	bound    *Header
	boundLen int
	build    func(*row) T
	validate func(T) error
	row      row // reused so that a valid record costs no allocation
}

func newConverter[T any](kind Kind, loc *time.Location, build func(*row) T, validate func(T) error) *Converter[T] {
	if loc == nil {
		loc = time.UTC
	}
	return &Converter[T]{kind: kind, loc: loc, cols: schemas[kind], idx: make([]int, len(schemas[kind])),
		build: build, validate: validate}
}

// NewRepConverter converts records with the reps columns.
func NewRepConverter() *Converter[salesrecipe.Rep] {
	return newConverter(KindReps, nil, buildRep, salesrecipe.Rep.Validate)
}

// NewQuotaConverter converts records with the quotas columns; period_start is a calendar date in loc.
func NewQuotaConverter(loc *time.Location) *Converter[salesrecipe.Quota] {
	return newConverter(KindQuotas, loc, buildQuota, salesrecipe.Quota.Validate)
}

// NewStageConverter converts records with the stages columns.
func NewStageConverter() *Converter[salesrecipe.Stage] {
	return newConverter(KindStages, nil, buildStage, salesrecipe.Stage.Validate)
}

// NewActivityConverter converts records with the activities columns, reading naive times in loc.
func NewActivityConverter(loc *time.Location) *Converter[salesrecipe.Activity] {
	return newConverter(KindActivities, loc, buildActivity, salesrecipe.Activity.Validate)
}

// NewDealConverter converts records with the deals columns, reading naive times in loc.
func NewDealConverter(loc *time.Location) *Converter[salesrecipe.Deal] {
	return newConverter(KindDeals, loc, buildDeal, salesrecipe.Deal.Validate)
}

// Kind returns the kind of records the converter reads.
func (c *Converter[T]) Kind() Kind { return c.kind }

// CheckHeader reports, before any row, the required columns a fixed header lacks or doubles; a nil header passes.
func (c *Converter[T]) CheckHeader(source string, h *Header) error {
	if h == nil {
		return nil
	}
	e := &HeaderError{Source: source, Have: h.Labels()}
	for _, col := range c.cols {
		switch {
		case h.Index(col.name) < 0 && col.required:
			e.Missing = append(e.Missing, col.name)
		case h.Index(col.name) >= 0 && h.Doubled(col.name):
			e.Doubled = append(e.Doubled, col.name)
		}
	}
	if len(e.Missing) > 0 || len(e.Doubled) > 0 {
		return e
	}
	return nil
}

// Convert builds and validates one value; on failure the error is a *RowError naming each bad column.
func (c *Converter[T]) Convert(rec *Record) (T, error) {
	c.bind(rec.header)
	r := &c.row
	*r = row{rec: rec, idx: c.idx, cols: c.cols, loc: c.loc, errs: r.errs[:0]}
	v := c.build(r)
	if err := c.validate(v); err != nil {
		r.merge(err)
	}
	if len(r.errs) > 0 {
		var zero T
		fields := append([]salesrecipe.FieldError(nil), r.errs...)
		slices.SortStableFunc(fields, func(a, b salesrecipe.FieldError) int { return r.column(a.Field) - r.column(b.Field) })
		return zero, &RowError{Position: rec.Position, Raw: rec.Raw, Fields: fields}
	}
	return v, nil
}

func (c *Converter[T]) bind(h *Header) {
	if h == c.bound && h.Len() == c.boundLen {
		return
	}
	for i, col := range c.cols {
		c.idx[i] = h.Index(col.name)
	}
	c.bound, c.boundLen = h, h.Len()
}

// Stats counts the records a Load saw.
type Stats struct {
	Records  int
	Accepted int
	Rejected int
}

// Load checks the header, then converts every record of src and hands each value to accept.
//
// Rejected records go to reject, which decides whether loading goes on by returning nil;
// a nil reject stops at the first one. Load stops at the first error from accept, reject,
// src or ctx and returns it.
func Load[T any](ctx context.Context, src Source, conv *Converter[T], accept func(T) error, reject func(*RowError) error) (Stats, error) {
	var st Stats
	if err := conv.CheckHeader(src.Name(), src.Header()); err != nil {
		return st, err
	}
	if reject == nil {
		reject = func(e *RowError) error { return e }
	}
	for {
		if st.Records%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		rec, err := src.Next()
		if err == io.EOF {
			return st, nil
		}
		st.Records++
		if err := loadOne(src, conv, rec, err, accept, reject, &st); err != nil {
			return st, err
		}
	}
}

func loadOne[T any](src Source, conv *Converter[T], rec *Record, err error, accept func(T) error,
	reject func(*RowError) error, st *Stats) error {
	if err == nil {
		var v T
		if v, err = conv.Convert(rec); err == nil {
			st.Accepted++
			return accept(v)
		}
	}
	var rowErr *RowError
	if !errors.As(err, &rowErr) {
		return err
	}
	if l, ok := src.(labeler); ok {
		l.relabel(rowErr)
	}
	st.Rejected++
	return reject(rowErr)
}

// labeler is a source that renames fields in errors, such as a mapping naming the export's columns.
type labeler interface {
	relabel(*RowError)
}

// row reads the values of one record for a converter, gathering field errors.
type row struct {
	rec  *Record
	idx  []int
	cols []column
	loc  *time.Location
	errs []salesrecipe.FieldError
}

// text returns the trimmed value of column c; a required column absent from a JSON object is an error.
func (r *row) text(c int) string {
	v, ok := r.rec.Value(r.idx[c])
	if !ok && r.cols[c].required {
		r.fail(c, "", "missing")
	}
	return trimSpace(v)
}

// lower returns the value lower-cased, with spaces and dashes as underscores when words is set.
func (r *row) lower(c int, words bool) string {
	v := strings.ToLower(r.text(c))
	if words && strings.ContainsAny(v, " -") {
		v = strings.Map(func(c rune) rune {
			if c == ' ' || c == '-' {
				return '_'
			}
			return c
		}, v)
	}
	return v
}

func (r *row) time(c int) time.Time {
	return r.parsed(c, ParseTime)
}

func (r *row) date(c int) time.Time {
	return r.parsed(c, ParseDate)
}

func (r *row) parsed(c int, parse func(string, *time.Location) (time.Time, error)) time.Time {
	v := r.text(c)
	if v == "" {
		return time.Time{}
	}
	t, err := parse(v, r.loc)
	if err != nil {
		r.failErr(c, v, err)
	}
	return t
}

func (r *row) amount(c int) float64 {
	v := r.text(c)
	if v == "" {
		r.fail(c, "", "required")
		return 0
	}
	f, err := ParseAmount(v)
	if err != nil {
		r.failErr(c, v, err)
	}
	return f
}

// probability reads 0.8 or 80%.
func (r *row) probability(c int) float64 {
	v := r.text(c)
	if v == "" {
		r.fail(c, "", "required")
		return 0
	}
	scale := 1.0
	if s, ok := strings.CutSuffix(v, "%"); ok {
		v, scale = trimSpace(s), 100
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.fail(c, v, "not a number (want 0 to 1, or a percentage like 80%)")
	}
	return f / scale
}

func (r *row) integer(c int) int {
	v := r.text(c)
	if v == "" {
		r.fail(c, "", "required")
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(c, v, "not a whole number")
	}
	return n
}

func (r *row) fail(c int, value, reason string) {
	r.errs = append(r.errs, salesrecipe.FieldError{Field: r.cols[c].name, Value: value, Reason: reason})
}

func (r *row) failErr(c int, value string, err error) {
	var ve *ValueError
	if errors.As(err, &ve) {
		r.fail(c, value, ve.Reason)
		return
	}
	r.fail(c, value, err.Error())
}

// merge adds the validation problems of fields that parsed, showing values as the file wrote them.
func (r *row) merge(err error) {
	var ve *salesrecipe.ValidationError
	if !errors.As(err, &ve) {
		r.errs = append(r.errs, salesrecipe.FieldError{Field: "record", Reason: err.Error()})
		return
	}
	for _, f := range ve.Fields {
		if r.failed(f.Field) {
			continue
		}
		if c := r.column(f.Field); c >= 0 && f.Value != "" {
			if v, ok := r.rec.Value(r.idx[c]); ok && trimSpace(v) != "" {
				f.Value = trimSpace(v)
			}
		}
		r.errs = append(r.errs, f)
	}
}

// failed reports whether the row already has an error for field.
func (r *row) failed(field string) bool {
	return slices.ContainsFunc(r.errs, func(e salesrecipe.FieldError) bool { return e.Field == field })
}

// column returns the index of field among the row's columns, or -1.
func (r *row) column(field string) int {
	return slices.IndexFunc(r.cols, func(c column) bool { return c.name == field })
}
