package ingest

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// builtinFS holds the built-in mappings; it is read-only.
//
//go:embed mappings/*.yaml
var builtinFS embed.FS

// BuiltinMappings parses and returns every built-in mapping, sorted by name.
func BuiltinMappings() ([]*Mapping, error) {
	files, err := fs.Glob(builtinFS, "mappings/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("built-in mappings: %w", err)
	}
	var out []*Mapping
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("built-in mappings: %w", err)
		}
		m, err := ParseMapping(data, path.Base(f))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Mapping) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// LookupMapping finds a built-in mapping by full name ("hubspot-deals"), or by vendor
// ("salesforce", "hubspot") and kind, using the header to tell apart exports of the same kind
// (Opportunity or OpportunityHistory, Task or Event, calls, emails or meetings).
//
// An empty kind accepts any kind; a nil header (JSON input) only resolves an unambiguous vendor and kind.
func LookupMapping(name string, kind Kind, h *Header) (*Mapping, error) {
	all, err := BuiltinMappings()
	if err != nil {
		return nil, err
	}
	want := strings.ToLower(strings.TrimSpace(name))
	if i := slices.IndexFunc(all, func(m *Mapping) bool { return m.Name == want }); i >= 0 {
		if kind != "" && all[i].Kind != kind {
			return nil, fmt.Errorf("mapping %s maps %s, not %s", want, all[i].Kind, kind)
		}
		return all[i], nil
	}
	var candidates []*Mapping
	for _, m := range all {
		if m.Vendor == want && (kind == "" || m.Kind == kind) {
			candidates = append(candidates, m)
		}
	}
	return pickMapping(name, kind, h, candidates, all)
}

func pickMapping(name string, kind Kind, h *Header, candidates, all []*Mapping) (*Mapping, error) {
	switch {
	case len(candidates) == 0:
		return nil, fmt.Errorf("no built-in mapping %q for %s (have: %s)", name, kindOrAny(kind), mappingNames(all))
	case len(candidates) == 1:
		return candidates[0], nil
	case h == nil:
		return nil, &ambiguousMappingError{fmt.Sprintf("%s has several mappings for %s (%s): name one", name, kindOrAny(kind), mappingNames(candidates))}
	}
	var fits []*Mapping
	for _, m := range candidates {
		if m.matches(h) {
			fits = append(fits, m)
		}
	}
	if len(fits) == 1 {
		return fits[0], nil
	}
	return nil, &ambiguousMappingError{fmt.Sprintf("cannot tell which %s mapping fits this header (%s): name one of %s",
		name, strings.Join(h.Labels(), ", "), mappingNames(candidates))}
}

// ambiguousMappingError is a vendor name that fits several built-in mappings; its message asks for the full name.
type ambiguousMappingError struct{ msg string }

// Error returns the message.
func (e *ambiguousMappingError) Error() string { return e.msg }

func kindOrAny(k Kind) string {
	if k == "" {
		return "any kind"
	}
	return string(k)
}

func mappingNames(ms []*Mapping) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}
