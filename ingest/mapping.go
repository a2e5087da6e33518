package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Mapping turns the records of one CRM export into canonical records of one kind; see
// mappings/README.md for the YAML format.
type Mapping struct {
	Name        string
	Vendor      string
	Kind        Kind
	Description string
	detect      []string
	keep        *keepRule
	rules       []fieldRule // in the kind's column order
}

// mappingFile is the YAML form of a mapping.
type mappingFile struct {
	Name        string               `yaml:"name"`
	Vendor      string               `yaml:"vendor"`
	Kind        string               `yaml:"kind"`
	Description string               `yaml:"description"`
	Detect      []string             `yaml:"detect"`
	KeepWhen    *keepSpec            `yaml:"keep_when"`
	Fields      map[string]fieldSpec `yaml:"fields"`
}

type keepSpec struct {
	Column string   `yaml:"column"`
	Values []string `yaml:"values"`
}

// fieldSpec is how one canonical field is made; exactly one of Column, Columns and Const is set.
type fieldSpec struct {
	Column    string              `yaml:"column"`
	Fallback  []string            `yaml:"fallback"`
	Columns   []string            `yaml:"columns"`
	Separator *string             `yaml:"separator"`
	Const     *string             `yaml:"const"`
	Optional  bool                `yaml:"optional"`
	Split     string              `yaml:"split"`
	Pattern   string              `yaml:"pattern"`
	IfEmpty   *string             `yaml:"if_empty"`
	Values    map[string]string   `yaml:"values"`
	Default   *string             `yaml:"default"`
	Normalize string              `yaml:"normalize"`
	Format    stringList          `yaml:"format"`
	When      map[string][]string `yaml:"when"`
}

// stringList reads a YAML scalar or sequence of strings.
type stringList []string

// UnmarshalYAML accepts one string or a list of strings.
func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = stringList{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

type keepRule struct {
	column string
	label  string
	values map[string]bool
}

type fieldRule struct {
	target   string
	label    string   // how errors name the source, such as "CloseDate (close_date)"
	sources  []string // normalised column names: column then fallbacks, or the joined columns
	names    []string // the same columns as the mapping writes them
	join     bool
	sep      string
	konst    string
	isConst  bool
	optional bool
	split    string
	pattern  *regexp.Regexp
	ifEmpty  *string
	values   map[string]string // keys lower-cased
	deflt    *string
	word     bool
	formats  []string
	when     map[int]map[string]bool // canonical column -> allowed values
}

// ParseMapping reads and validates a YAML mapping; name is used in errors, such as the file name.
func ParseMapping(data []byte, name string) (*Mapping, error) {
	var f mappingFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("mapping %s: %s", name, yamlMessage(err))
	}
	m, err := compileMapping(&f)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", name, err)
	}
	return m, nil
}

// yamlMessage rewords yaml.v3's unknown-key errors without Go type names.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, " in type ingest.fieldSpec", " (want column, fallback, columns, separator, const, optional, split, pattern, if_empty, values, default, normalize, format or when)")
	msg = strings.ReplaceAll(msg, " in type ingest.mappingFile", " (want name, vendor, kind, description, detect, keep_when or fields)")
	msg = strings.ReplaceAll(msg, " in type ingest.keepSpec", " (want column or values)")
	return strings.ReplaceAll(msg, "field ", "key ")
}

func compileMapping(f *mappingFile) (*Mapping, error) {
	if f.Name == "" {
		return nil, errors.New("name is required")
	}
	kind, err := ParseKind(f.Kind)
	if err != nil {
		return nil, err
	}
	m := &Mapping{Name: f.Name, Vendor: f.Vendor, Kind: kind, Description: f.Description}
	for _, d := range f.Detect {
		m.detect = append(m.detect, NormalizeName(d))
	}
	if m.keep, err = compileKeep(f.KeepWhen); err != nil {
		return nil, err
	}
	if err := m.compileFields(f.Fields); err != nil {
		return nil, err
	}
	return m, nil
}

func compileKeep(k *keepSpec) (*keepRule, error) {
	if k == nil {
		return nil, nil
	}
	if k.Column == "" || len(k.Values) == 0 {
		return nil, errors.New("keep_when needs a column and values")
	}
	r := &keepRule{column: NormalizeName(k.Column), label: k.Column, values: map[string]bool{}}
	for _, v := range k.Values {
		r.values[strings.ToLower(strings.TrimSpace(v))] = true
	}
	return r, nil
}

func (m *Mapping) compileFields(specs map[string]fieldSpec) error {
	for name := range specs {
		if !slices.Contains(m.Kind.Columns(), name) {
			return fmt.Errorf("field %q is not a %s column (want one of %s)", name, m.Kind, strings.Join(m.Kind.Columns(), ", "))
		}
	}
	for _, col := range schemas[m.Kind] {
		spec, ok := specs[col.name]
		if !ok && col.required {
			return fmt.Errorf("required field %s is not mapped", col.name)
		}
		rule, err := compileRule(col.name, spec, ok)
		if err != nil {
			return fmt.Errorf("field %s: %w", col.name, err)
		}
		m.rules = append(m.rules, rule)
	}
	return m.compileWhens(specs)
}

func compileRule(target string, s fieldSpec, mapped bool) (fieldRule, error) {
	r := fieldRule{target: target, label: target, optional: s.Optional || !mapped, split: s.Split,
		ifEmpty: s.IfEmpty, deflt: s.Default, formats: s.Format}
	if !mapped {
		r.isConst = true
		return r, nil
	}
	if err := r.compileSource(s); err != nil {
		return r, err
	}
	if err := r.compileValues(s); err != nil {
		return r, err
	}
	return r, checkFormats(s.Format)
}

func (r *fieldRule) compileSource(s fieldSpec) error {
	set := 0
	for _, b := range []bool{s.Column != "", len(s.Columns) > 0, s.Const != nil} {
		if b {
			set++
		}
	}
	switch {
	case set != 1:
		return errors.New("set exactly one of column, columns and const")
	case len(s.Fallback) > 0 && s.Column == "":
		return errors.New("fallback goes with column")
	case s.Separator != nil && len(s.Columns) == 0:
		return errors.New("separator goes with columns")
	case s.Const != nil:
		r.konst, r.isConst = *s.Const, true
		return nil
	case len(s.Columns) > 0:
		r.join, r.sep = true, ":"
		if s.Separator != nil {
			r.sep = *s.Separator
		}
		r.addSources(s.Columns, "+")
		return nil
	}
	r.addSources(append([]string{s.Column}, s.Fallback...), " or ")
	return nil
}

func (r *fieldRule) addSources(cols []string, joiner string) {
	for _, c := range cols {
		r.sources = append(r.sources, NormalizeName(c))
		r.names = append(r.names, c)
	}
	r.label = strings.Join(cols, joiner) + " (" + r.target + ")"
}

func (r *fieldRule) compileValues(s fieldSpec) error {
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return fmt.Errorf("pattern: %w", err)
		}
		r.pattern = re
	}
	switch s.Normalize {
	case "":
	case "word":
		r.word = true
	default:
		return fmt.Errorf("normalize %q: want word", s.Normalize)
	}
	if len(s.Values) > 0 {
		r.values = make(map[string]string, len(s.Values))
		for k, v := range s.Values {
			r.values[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	return nil
}

// checkFormats accepts "auto" and Go layouts that can read back the reference time they print.
func checkFormats(formats []string) error {
	ref := time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, f := range formats {
		if f == "auto" {
			continue
		}
		if _, err := time.Parse(f, ref.Format(f)); err != nil || !strings.Contains(f, "2006") && !strings.Contains(f, "06") {
			return fmt.Errorf("format %q is not a Go time layout such as 2006-01-02 15:04 (or auto)", f)
		}
	}
	return nil
}

func (m *Mapping) compileWhens(specs map[string]fieldSpec) error {
	for i := range m.rules {
		when := specs[m.rules[i].target].When
		if len(when) == 0 {
			continue
		}
		m.rules[i].when = map[int]map[string]bool{}
		for field, vals := range when {
			pos := slices.Index(m.Kind.Columns(), field)
			if pos < 0 {
				return fmt.Errorf("field %s: when: %q is not a %s column", m.rules[i].target, field, m.Kind)
			}
			set := map[string]bool{}
			for _, v := range vals {
				set[v] = true
			}
			m.rules[i].when[pos] = set
		}
	}
	return nil
}

// missing lists, as "Column (for field)", the columns a fixed header lacks for this mapping.
func (m *Mapping) missing(h *Header) []string {
	var out []string
	for _, r := range m.rules {
		if r.isConst || r.optional {
			continue
		}
		if r.join {
			for i, s := range r.sources {
				if h.Index(s) < 0 {
					out = append(out, strconv.Quote(r.names[i])+" (for "+r.target+")")
				}
			}
			continue
		}
		if !slices.ContainsFunc(r.sources, func(s string) bool { return h.Index(s) >= 0 }) {
			out = append(out, `"`+strings.Join(r.names, `" or "`)+`" (for `+r.target+")")
		}
	}
	if m.keep != nil && h.Index(m.keep.column) < 0 {
		out = append(out, strconv.Quote(m.keep.label)+" (for keep_when)")
	}
	return out
}

// matches reports whether a header has every column the mapping needs and, if the mapping
// names detect columns, at least one of them.
func (m *Mapping) matches(h *Header) bool {
	if len(m.missing(h)) > 0 {
		return false
	}
	return len(m.detect) == 0 || slices.ContainsFunc(m.detect, func(d string) bool { return h.Index(d) >= 0 })
}
