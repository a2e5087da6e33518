package ingest

import (
	"slices"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// MappedReader reads a source through a mapping and yields canonical records of the mapping's kind.
type MappedReader struct {
	src     Source
	m       *Mapping
	loc     *time.Location
	header  *Header
	rec     Record
	idx     [][]int // per rule, the source index of each of its columns
	bound   *Header
	boundN  int
	keepIdx int
	skipped int
}

var _ Source = (*MappedReader)(nil)

// Bind checks that the source's header has the columns the mapping needs (a JSON source is
// checked record by record) and returns a reader of canonical records; naive times are read in loc.
func (m *Mapping) Bind(src Source, loc *time.Location) (*MappedReader, error) {
	if loc == nil {
		loc = time.UTC
	}
	if h := src.Header(); h != nil {
		if missing := m.missing(h); len(missing) > 0 {
			return nil, &HeaderError{Source: src.Name() + ": mapping " + m.Name, Missing: missing, Have: h.Labels()}
		}
	}
	mr := &MappedReader{src: src, m: m, loc: loc, header: NewHeader(m.Kind.Columns()), idx: make([][]int, len(m.rules))}
	mr.rec.header = mr.header
	mr.rec.values = make([]string, len(m.rules))
	return mr, nil
}

// Name returns the source's name.
func (r *MappedReader) Name() string { return r.src.Name() }

// Header returns the canonical header of the mapping's kind.
func (r *MappedReader) Header() *Header { return r.header }

// Skipped returns how many records the mapping's keep_when rule left out so far.
func (r *MappedReader) Skipped() int { return r.skipped }

// Next returns the next canonical record, with the source's position and raw text.
func (r *MappedReader) Next() (*Record, error) {
	for {
		src, err := r.src.Next()
		if err != nil {
			return nil, err
		}
		r.bind(src.Header())
		if !r.kept(src) {
			r.skipped++
			continue
		}
		r.rec.Position, r.rec.Raw = src.Position, src.Raw
		if errs := r.fill(src); len(errs) > 0 {
			return nil, &RowError{Position: src.Position, Raw: src.Raw, Fields: errs}
		}
		return &r.rec, nil
	}
}

func (r *MappedReader) bind(h *Header) {
	if h == r.bound && h.Len() == r.boundN {
		return
	}
	for i, rule := range r.m.rules {
		r.idx[i] = r.idx[i][:0]
		for _, s := range rule.sources {
			r.idx[i] = append(r.idx[i], h.Index(s))
		}
	}
	r.keepIdx = -1
	if r.m.keep != nil {
		r.keepIdx = h.Index(r.m.keep.column)
	}
	r.bound, r.boundN = h, h.Len()
}

func (r *MappedReader) kept(src *Record) bool {
	if r.m.keep == nil {
		return true
	}
	v, _ := src.Value(r.keepIdx)
	return r.m.keep.values[strings.ToLower(trimSpace(v))]
}

// fill computes every canonical value, then clears those whose when-condition fails.
func (r *MappedReader) fill(src *Record) []salesrecipe.FieldError {
	var errs []salesrecipe.FieldError
	for i := range r.m.rules {
		v, fe := r.m.rules[i].apply(src, r.idx[i], r.loc)
		if fe != nil {
			errs = append(errs, *fe)
		}
		r.rec.values[i] = v
	}
	for i, rule := range r.m.rules {
		for pos, allowed := range rule.when {
			if !allowed[r.rec.values[pos]] {
				r.rec.values[i] = ""
			}
		}
	}
	return errs
}

// relabel names fields in converter errors after the export's columns.
func (r *MappedReader) relabel(e *RowError) {
	for i, f := range e.Fields {
		if pos := slices.IndexFunc(r.m.rules, func(rule fieldRule) bool { return rule.target == f.Field }); pos >= 0 {
			e.Fields[i].Field = r.m.rules[pos].label
		}
	}
}

// apply computes one canonical value from a source record.
func (r *fieldRule) apply(src *Record, idx []int, loc *time.Location) (string, *salesrecipe.FieldError) {
	v := trimSpace(r.pick(src, idx))
	if r.split != "" {
		v = firstPart(v, r.split)
	}
	if r.pattern != nil && v != "" && !r.pattern.MatchString(v) {
		v = ""
	}
	if v == "" {
		if r.ifEmpty != nil {
			return *r.ifEmpty, nil
		}
		return "", nil
	}
	v = r.translate(v)
	if len(r.formats) == 0 {
		return v, nil
	}
	t, ok := parseFormats(v, r.formats, loc)
	if !ok {
		return "", &salesrecipe.FieldError{Field: r.label, Value: v,
			Reason: "not a date in format " + strings.Join(r.formats, " or ")}
	}
	return t.Format(time.RFC3339Nano), nil
}

func (r *fieldRule) pick(src *Record, idx []int) string {
	switch {
	case r.isConst:
		return r.konst
	case r.join:
		parts := make([]string, len(idx))
		empty := true
		for i, j := range idx {
			parts[i], _ = src.Value(j)
			parts[i] = trimSpace(parts[i])
			empty = empty && parts[i] == ""
		}
		if empty {
			return ""
		}
		return strings.Join(parts, r.sep)
	}
	for _, j := range idx {
		if v, _ := src.Value(j); trimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func (r *fieldRule) translate(v string) string {
	if r.values != nil {
		if t, ok := r.values[strings.ToLower(v)]; ok {
			v = t
		} else if r.deflt != nil {
			v = *r.deflt
		}
	}
	if r.word {
		v = toWord(v)
	}
	return v
}

func firstPart(v, sep string) string {
	for part := range strings.SplitSeq(v, sep) {
		if p := trimSpace(part); p != "" {
			return p
		}
	}
	return ""
}

// toWord lower-cases v and turns every run of other characters than a-z and 0-9 into one '_'.
func toWord(v string) string {
	var b strings.Builder
	gap := false
	for _, c := range strings.ToLower(v) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
			gap = false
			continue
		}
		gap = true
	}
	return b.String()
}

// parseFormats tries each format in turn: "auto" is ParseTime, anything else a Go layout read in loc.
func parseFormats(v string, formats []string, loc *time.Location) (time.Time, bool) {
	for _, f := range formats {
		var t time.Time
		var err error
		if f == "auto" {
			t, err = ParseTime(v, loc)
		} else {
			t, err = time.ParseInLocation(f, v, loc)
		}
		if err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
