package ingest

import (
	"fmt"
	"strings"

	"github.com/salesrecipe/salesrecipe/queries"
)

// Kind names one of the canonical datasets: the kinds the store loads, with their file schemas.
type Kind string

// The canonical datasets.
const (
	KindReps       = Kind(queries.KindReps)
	KindQuotas     = Kind(queries.KindQuotas)
	KindStages     = Kind(queries.KindStages)
	KindActivities = Kind(queries.KindActivities)
	KindDeals      = Kind(queries.KindDeals)
)

// Kinds lists every kind in loading order: reps first, deals last.
func Kinds() []Kind {
	var ks []Kind
	for _, k := range queries.Kinds() {
		ks = append(ks, Kind(k))
	}
	return ks
}

// ParseKind reads a kind, case-insensitively and in singular or plural.
func ParseKind(s string) (Kind, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for _, kind := range Kinds() {
		if k == string(kind) || k+"s" == string(kind) || (k == "activity" && kind == KindActivities) {
			return kind, nil
		}
	}
	return "", fmt.Errorf("kind %q: want reps, quotas, stages, activities or deals", s)
}

// column is one canonical column of a kind.
type column struct {
	name     string
	required bool // the header must have it (a value may still be optional)
}

// schemas holds the canonical columns of each kind, in file order; it is read-only.
var schemas = map[Kind][]column{
	KindReps:   {{"rep_id", true}, {"name", true}, {"email", false}, {"team", false}, {"manager_id", false}},
	KindQuotas: {{"rep_id", true}, {"period_start", false}, {"period", true}, {"amount", true}},
	KindStages: {{"stage", true}, {"position", true}, {"probability", true}, {"category", true}},
	KindActivities: {{"activity_id", true}, {"rep_id", true}, {"kind", true}, {"occurred_at", true},
		{"account_id", false}, {"deal_id", false}},
	KindDeals: {{"deal_id", true}, {"rep_id", true}, {"account_id", false}, {"stage", true}, {"status", true},
		{"amount", true}, {"created_at", false}, {"close_date", false}, {"closed_at", false}, {"updated_at", true},
		{"source", false}},
}

// Columns lists the canonical column names of the kind, in file order.
func (k Kind) Columns() []string {
	cols := schemas[k]
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

// RequiredColumns lists the canonical columns a file of this kind must have in its header.
func (k Kind) RequiredColumns() []string {
	var names []string
	for _, c := range schemas[k] {
		if c.required {
			names = append(names, c.name)
		}
	}
	return names
}
