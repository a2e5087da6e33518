package ingest

import (
	"fmt"
	"slices"
	"strings"
)

// Constant sets one canonical field to the same value on every row, as `ingest --set field=value` does, or, with
// IfEmpty, on the rows where the mapping gives the field no value, as `ingest --default field=value` does.
type Constant struct {
	Field   string
	Value   string
	IfEmpty bool
}

// ParseConstants reads field=value settings for a kind; an unknown field is an error naming the kind's fields.
func ParseConstants(kind Kind, settings []string) ([]Constant, error) {
	return parseSettings(kind, settings, "--set", false)
}

// ParseDefaults reads field=value settings for a kind as constants that fill only empty values (IfEmpty).
func ParseDefaults(kind Kind, settings []string) ([]Constant, error) {
	return parseSettings(kind, settings, "--default", true)
}

func parseSettings(kind Kind, settings []string, flag string, ifEmpty bool) ([]Constant, error) {
	out := make([]Constant, 0, len(settings))
	for _, s := range settings {
		field, value, ok := strings.Cut(s, "=")
		field = strings.ToLower(strings.TrimSpace(field))
		switch {
		case !ok || field == "":
			return nil, fmt.Errorf("%s %q: want field=value, such as period=2017-Q3", flag, s)
		case !slices.Contains(kind.Columns(), field):
			return nil, fmt.Errorf("%s %s: %q is not a field of %s (want one of %s)", flag, s, field, kind, strings.Join(kind.Columns(), ", "))
		case slices.ContainsFunc(out, func(c Constant) bool { return c.Field == field }):
			return nil, fmt.Errorf("%s %s: %s is set twice", flag, s, field)
		}
		out = append(out, Constant{Field: field, Value: strings.TrimSpace(value), IfEmpty: ifEmpty})
	}
	return out, nil
}

// CanonicalMapping maps each of a kind's canonical columns to itself, so that constants can
// complete a file in the canonical format.
func CanonicalMapping(kind Kind) *Mapping {
	m := &Mapping{Name: "canonical " + string(kind), Kind: kind}
	for _, col := range schemas[kind] {
		m.rules = append(m.rules, fieldRule{target: col.name, label: col.name, optional: !col.required,
			sources: []string{col.name}, names: []string{col.name}})
	}
	return m
}

// WithConstants returns a copy of the mapping whose given fields take their constant on every
// row, in place of what the mapping said; the columns they came from are then not needed. A constant
// with IfEmpty keeps the mapping's rule and fills only the values it leaves empty.
func (m *Mapping) WithConstants(cs []Constant) (*Mapping, error) {
	out := *m
	out.rules = slices.Clone(m.rules)
	for _, c := range cs {
		i := slices.IndexFunc(out.rules, func(r fieldRule) bool { return r.target == c.Field })
		if i < 0 {
			return nil, fmt.Errorf("--set %s=%s: %q is not a field of %s (want one of %s)", c.Field, c.Value, c.Field, m.Kind, strings.Join(m.Kind.Columns(), ", "))
		}
		if c.IfEmpty && !out.rules[i].isConst {
			value := c.Value
			out.rules[i].ifEmpty = &value
			continue
		}
		out.rules[i] = fieldRule{target: c.Field, label: c.Field + " (--set)", konst: c.Value, isConst: true}
	}
	return &out, nil
}
