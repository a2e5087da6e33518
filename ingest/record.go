package ingest

import (
	"fmt"
	"strconv"
	"strings"
)

// Format is the syntax of an input file.
type Format string

// The input formats; FormatAuto detects the others from the first non-space byte.
const (
	FormatAuto   Format = "auto"
	FormatCSV    Format = "csv"
	FormatNDJSON Format = "ndjson"
	FormatJSON   Format = "json"
)

// ParseFormat reads auto, csv, ndjson (or jsonl) or json; the empty string means auto.
func ParseFormat(s string) (Format, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "", "auto":
		return FormatAuto, nil
	case "csv", "tsv":
		return FormatCSV, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	case "json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("format %q: want auto, csv, ndjson or json", s)
}

// Position locates a record: the physical line where it starts (CSV, NDJSON) or its 1-based element index (JSON array).
type Position struct {
	Source string
	Line   int
	Format Format
}

// String renders the position as "source:line", or "source: element n" inside a JSON array.
func (p Position) String() string {
	if p.Format == FormatJSON {
		return p.Source + ": element " + strconv.Itoa(p.Line)
	}
	return p.Source + ":" + strconv.Itoa(p.Line)
}

// fieldWord is what an error calls a field: a column in CSV, a field in JSON.
func (p Position) fieldWord() string {
	if p.Format == FormatJSON || p.Format == FormatNDJSON {
		return "field"
	}
	return "column"
}

// Header maps normalised field names (trimmed, lower-case) to positions in a record.
//
// A CSV header is fixed; a JSON source's header grows as new keys appear, and indexes never change.
type Header struct {
	names   []string
	labels  []string
	index   map[string]int
	doubled map[string]bool
	aliases map[string]int // JSON keys as written, to skip normalising them on every object
}

// NewHeader builds a header from field names as they appear in a file.
func NewHeader(labels []string) *Header {
	h := &Header{index: make(map[string]int, len(labels))}
	for _, l := range labels {
		h.add(l)
	}
	return h
}

// NormalizeName trims and lower-cases a field name, as headers and mappings compare them.
func NormalizeName(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// add appends a column label and returns the index its name resolves to (the first one when doubled).
func (h *Header) add(label string) int {
	name := NormalizeName(label)
	i, ok := h.index[name]
	if ok {
		if h.doubled == nil {
			h.doubled = map[string]bool{}
		}
		h.doubled[name] = true
	} else {
		i = len(h.names)
		h.index[name] = i
	}
	h.names = append(h.names, name)
	h.labels = append(h.labels, strings.TrimSpace(label))
	return i
}

// lookupOrAdd returns the index of a JSON key, adding it the first time it is seen.
func (h *Header) lookupOrAdd(key string) int {
	if i, ok := h.aliases[key]; ok {
		return i
	}
	key = strings.Clone(key) // keys may point into a record's raw text
	i, ok := h.index[NormalizeName(key)]
	if !ok {
		i = h.add(key)
	}
	if h.aliases == nil {
		h.aliases = map[string]int{}
	}
	if len(h.aliases) < maxAliases {
		h.aliases[key] = i
	}
	return i
}

// maxAliases bounds the alias cache when JSON keys keep changing spelling.
const maxAliases = 4096

// Len returns the number of fields the header knows.
func (h *Header) Len() int { return len(h.names) }

// Names returns the normalised names in file order.
func (h *Header) Names() []string { return h.names }

// Labels returns the names as written in the file, trimmed.
func (h *Header) Labels() []string { return h.labels }

// Index returns the position of a field by normalised name, or -1.
func (h *Header) Index(name string) int {
	if i, ok := h.index[name]; ok {
		return i
	}
	return -1
}

// Label returns the name of field i as written in the file.
func (h *Header) Label(i int) string { return h.labels[i] }

// Doubled reports whether the normalised name appears more than once.
func (h *Header) Doubled(name string) bool { return h.doubled[name] }

// Record is one row or object read from a source, valid until the next call to Next; Clone keeps it.
type Record struct {
	Position
	// Raw is the verbatim text of the record without its final line break, for a rejects file.
	Raw     string
	header  *Header
	values  []string
	present []bool // nil when every value is present (CSV)
}

// Header returns the header the record's values are indexed by.
func (r *Record) Header() *Header { return r.header }

// Value returns the value at index i and whether the record has it.
func (r *Record) Value(i int) (string, bool) {
	if i < 0 || i >= len(r.values) || (r.present != nil && !r.present[i]) {
		return "", false
	}
	return r.values[i], true
}

// Get returns the value of a field by normalised name and whether the record has it.
func (r *Record) Get(name string) (string, bool) {
	return r.Value(r.header.Index(name))
}

// Fields returns the record as a map from normalised name to value; it allocates, so the hot path uses Value.
func (r *Record) Fields() map[string]string {
	m := make(map[string]string, len(r.values))
	for i, name := range r.header.names {
		if v, ok := r.Value(i); ok {
			if _, seen := m[name]; !seen {
				m[name] = v
			}
		}
	}
	return m
}

// Clone returns a copy that stays valid after the reader moves on.
func (r *Record) Clone() *Record {
	c := *r
	c.values = append([]string(nil), r.values...)
	if r.present != nil {
		c.present = append([]bool(nil), r.present...)
	}
	return &c
}
