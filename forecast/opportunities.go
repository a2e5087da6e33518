package forecast

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// NewOpportunityKind is the input a firm without activity rows learns its recipe from: the deals
// each rep created, counted per period as if creating a deal were an activity ("1 new opportunity ~
// $X of won revenue within N months"). It is derived only when the firm has no activity rows at all:
// with activities, the deals they create are already the activities' effect, so counting both would
// give the recipe one effect twice (see docs/forecast.md, "Deals only").
const NewOpportunityKind = "new_opportunity"

// creations are every deal's creation, for counting new opportunities as known at any moment.
type creations struct {
	reps    []string
	created []int64                       // Unix milliseconds, sorted
	known   []int64                       // when the deal became known: its first version's update time
	rep     []int32                       // index into reps
	periods map[salesrecipe.Grain][]int64 // the start of the period of each creation, by grain (Unix seconds)
}

// creationsOf indexes the deals of a firm's data by creation time: a deal is created at its first
// version's created_at (its first update time when the export has none) and known from its first
// version's update time, so a count as of a moment holds only deals known by then.
func creationsOf(fd *salesrecipe.FirmData) *creations {
	type row struct {
		created, known int64
		rep            int32
	}
	rows := make([]row, 0, len(fd.Deals))
	for i := range fd.Deals {
		v := fd.Deal(i)[0]
		created := v.Created
		if created <= 0 || created == salesrecipe.Unknown {
			created = v.Updated
		}
		rows = append(rows, row{created, v.Updated, v.Rep})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].created < rows[j].created })
	c := &creations{reps: fd.Reps, created: make([]int64, len(rows)), known: make([]int64, len(rows)), rep: make([]int32, len(rows)),
		periods: map[salesrecipe.Grain][]int64{}}
	for i, r := range rows {
		c.created[i], c.known[i], c.rep[i] = r.created, r.known, r.rep
	}
	for _, g := range []salesrecipe.Grain{salesrecipe.GrainWeek, salesrecipe.GrainMonth, salesrecipe.GrainQuarter} {
		starts := make([]int64, len(rows))
		for i, ms := range c.created {
			starts[i] = salesrecipe.NewPeriod(g, salesrecipe.TimeOf(ms)).Start.Unix()
		}
		c.periods[g] = starts
	}
	return c
}

// counts returns the deals created per rep x period for the periods in [from, to), created and
// known by at, as activity counts of NewOpportunityKind.
func (c *creations) counts(grain salesrecipe.Grain, from, to, at time.Time) []queries.ActivityCount {
	lo := sort.Search(len(c.created), func(i int) bool { return c.created[i] >= ceilMs(from) })
	end := min(ceilMs(to), floorMs(at)+1)
	type key struct {
		rep    int32
		period int64
	}
	n := map[key]uint64{}
	starts := c.periods[grain]
	for i := lo; i < len(c.created) && c.created[i] < end; i++ {
		if c.known[i] <= floorMs(at) {
			n[key{c.rep[i], starts[i]}]++
		}
	}
	out := make([]queries.ActivityCount, 0, len(n))
	for k, v := range n {
		out = append(out, queries.ActivityCount{RepID: c.reps[k.rep], Period: time.Unix(k.period, 0).UTC(), Kind: NewOpportunityKind, N: v})
	}
	slices.SortFunc(out, func(x, y queries.ActivityCount) int {
		return cmp.Or(strings.Compare(x.RepID, y.RepID), x.Period.Compare(y.Period))
	})
	return out
}

// derivedCounts returns the new opportunities per rep x period in [from, to) known at at, read from
// the store's deals known then.
func derivedCounts(ctx context.Context, st Store, firm string, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error) {
	fd, err := st.FirmData(ctx, firm, at, nil)
	if err != nil {
		return nil, fmt.Errorf("deals created: %w", err)
	}
	return creationsOf(fd).counts(grain, from, to, at), nil
}

// UsesNewOpportunities reports whether a model's recipe or combination reads new opportunities.
func (m *Model) UsesNewOpportunities() bool {
	if m.Combiner != nil && slices.Contains(m.Combiner.Kinds, NewOpportunityKind) {
		return true
	}
	if m.Recipe != nil {
		for _, k := range m.Recipe.Kinds {
			if k.Kind == NewOpportunityKind {
				return true
			}
		}
	}
	return false
}

// InputsNote says which inputs the model's recipe learns from: the activity kinds, or the new
// opportunities derived from the deals of a firm without activity rows; empty when it has none.
func (m *Model) InputsNote() string {
	var kinds []string
	switch {
	case m.Recipe != nil:
		for _, k := range m.Recipe.Kinds {
			kinds = append(kinds, k.Kind)
		}
	case m.Combiner != nil:
		kinds = m.Combiner.Kinds
	}
	switch {
	case m.UsesNewOpportunities():
		return "the recipe's input is " + NewOpportunityKind + ": the deals each rep created per " + string(m.Grain) +
			", derived from the deals because the firm has no activity rows (load activities and the next fit learns from them)"
	case len(kinds) == 0:
		return ""
	}
	return "the recipe's inputs are the activity kinds " + strings.Join(kinds, ", ")
}
