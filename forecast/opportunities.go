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
// give the recipe one effect twice (see README.md, "Deals only").
const NewOpportunityKind = "new_opportunity"

// Per-source inputs: a firm whose deals record a source (salesrecipe.Deal.Source) in minSources to
// maxSources values with at least minSourceDeals deals each learns one input per source,
// NewOpportunityKind + ":" + source ("1 new_opportunity:inbound ~ $X"), so the recipe tells
// sources of different value apart; the deals of other sources (or none) are counted as
// NewOpportunityKind + ":" + otherSource. Otherwise every deal is one NewOpportunityKind.
const (
	minSources     = 2
	maxSources     = 6
	minSourceDeals = 30
	otherSource    = "other"
)

// creations are every deal's creation, for counting new opportunities as known at any moment.
type creations struct {
	reps    []string
	sources []string                      // the deals' sources (FirmData.Sources)
	created []int64                       // Unix milliseconds, sorted
	known   []int64                       // when the deal became known: its first version's update time
	rep     []int32                       // index into reps
	source  []int32                       // index into sources
	periods map[salesrecipe.Grain][]int64 // the start of the period of each creation, by grain (Unix seconds)
}

// creationsOf indexes the deals of a firm's data by creation time: a deal is created at its first
// version's created_at (its first update time when the export has none) and known from its first
// version's update time, so a count as of a moment holds only deals known by then.
func creationsOf(fd *salesrecipe.FirmData) *creations {
	type row struct {
		created, known int64
		rep, source    int32
	}
	rows := make([]row, 0, len(fd.Deals))
	for i := range fd.Deals {
		v := fd.Deal(i)[0]
		created := v.Created
		if created <= 0 || created == salesrecipe.Unknown {
			created = v.Updated
		}
		var src int32
		if i < len(fd.Source) {
			src = fd.Source[i]
		}
		rows = append(rows, row{created, v.Updated, v.Rep, src})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].created < rows[j].created })
	c := &creations{reps: fd.Reps, sources: fd.Sources, created: make([]int64, len(rows)), known: make([]int64, len(rows)),
		rep: make([]int32, len(rows)), source: make([]int32, len(rows)), periods: map[salesrecipe.Grain][]int64{}}
	if len(c.sources) == 0 {
		c.sources = []string{""}
	}
	for i, r := range rows {
		c.created[i], c.known[i], c.rep[i], c.source[i] = r.created, r.known, r.rep, r.source
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

// kinds returns the input each source's deals count as, from the deals known at at (the choice of
// sources never reads a deal known later): one per source with minSourceDeals deals when there are
// minSources to maxSources of them, otherSource for the rest; NewOpportunityKind for all otherwise.
func (c *creations) kinds(at time.Time) []string {
	n := make([]int, len(c.sources))
	named := len(c.sources)
	if slices.Contains(c.sources, "") {
		named--
	}
	if named >= minSources { // else (the common case, no sources) nothing to count
		for i, k := range c.known {
			if k <= floorMs(at) {
				n[c.source[i]]++
			}
		}
	}
	var big []int
	for s, name := range c.sources {
		if name != "" && n[s] >= minSourceDeals {
			big = append(big, s)
		}
	}
	out := make([]string, len(c.sources))
	if len(big) < minSources || len(big) > maxSources {
		for s := range out {
			out[s] = NewOpportunityKind
		}
		return out
	}
	for s := range out {
		out[s] = NewOpportunityKind + ":" + otherSource
	}
	for _, s := range big {
		out[s] = NewOpportunityKind + ":" + c.sources[s]
	}
	return out
}

// counts returns the deals created per rep x period for the periods in [from, to), created and
// known by at, as activity counts of NewOpportunityKind or of its per-source kinds (see kinds).
func (c *creations) counts(grain salesrecipe.Grain, from, to, at time.Time) []queries.ActivityCount {
	lo := sort.Search(len(c.created), func(i int) bool { return c.created[i] >= ceilMs(from) })
	end := min(ceilMs(to), floorMs(at)+1)
	kinds := c.kinds(at)
	type key struct {
		rep    int32
		period int64
		kind   string
	}
	n := map[key]uint64{}
	starts := c.periods[grain]
	for i := lo; i < len(c.created) && c.created[i] < end; i++ {
		if c.known[i] <= floorMs(at) {
			n[key{c.rep[i], starts[i], kinds[c.source[i]]}]++
		}
	}
	out := make([]queries.ActivityCount, 0, len(n))
	for k, v := range n {
		out = append(out, queries.ActivityCount{RepID: c.reps[k.rep], Period: time.Unix(k.period, 0).UTC(), Kind: k.kind, N: v})
	}
	slices.SortFunc(out, func(x, y queries.ActivityCount) int {
		return cmp.Or(strings.Compare(x.RepID, y.RepID), x.Period.Compare(y.Period), strings.Compare(x.Kind, y.Kind))
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

// IsNewOpportunityKind reports whether an input is derived from the deals: NewOpportunityKind or one of its
// per-source kinds.
func IsNewOpportunityKind(kind string) bool {
	return kind == NewOpportunityKind || strings.HasPrefix(kind, NewOpportunityKind+":")
}

// UsesNewOpportunities reports whether a model's recipe or combination reads new opportunities.
func (m *Model) UsesNewOpportunities() bool {
	if m.Combiner != nil && slices.ContainsFunc(m.Combiner.Kinds, IsNewOpportunityKind) {
		return true
	}
	if m.Recipe != nil {
		for _, k := range m.Recipe.Kinds {
			if IsNewOpportunityKind(k.Kind) {
				return true
			}
		}
	}
	return false
}

// InputsNote says which inputs the model's recipe learns from: the activity kinds, or the new
// opportunities (by source, when the deals record one) derived from the deals of a firm without
// activity rows; empty when it has none.
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
	derived := "derived from the deals because the firm has no activity rows (load activities and the next fit learns from them)"
	switch {
	case slices.Contains(kinds, NewOpportunityKind):
		return "the recipe's input is " + NewOpportunityKind + ": the deals each rep created per " + string(m.Grain) + ", " + derived
	case m.UsesNewOpportunities():
		return "the recipe's inputs are new opportunities by source (" + strings.Join(kinds, ", ") + "): the deals each rep created per " +
			string(m.Grain) + " from each source the deals record, " + derived
	case len(kinds) == 0:
		return ""
	}
	return "the recipe's inputs are the activity kinds " + strings.Join(kinds, ", ")
}
