package forecast

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
	"github.com/salesrecipe/salesrecipe/queries"
)

// maxPanelPeriods caps the history a recipe is fitted on, per grain.
var maxPanelPeriods = map[salesrecipe.Grain]int{
	salesrecipe.GrainWeek:    104,
	salesrecipe.GrainMonth:   36,
	salesrecipe.GrainQuarter: 16,
}

// History is one firm's rep x period panel as known at one moment, with the periods it covers.
type History struct {
	Panel   *model.Panel
	Periods []salesrecipe.Period // Periods[i] is panel period i
	AsOf    time.Time
}

// From returns the first day of the first period, or the zero time for an empty history.
func (h *History) From() time.Time {
	if len(h.Periods) == 0 {
		return time.Time{}
	}
	return h.Periods[0].Start
}

// To returns the exclusive end of the last period, or the zero time for an empty history.
func (h *History) To() time.Time {
	if len(h.Periods) == 0 {
		return time.Time{}
	}
	return h.Periods[len(h.Periods)-1].End()
}

// LoadHistory reads the panel a recipe is fitted on: the complete periods before asOf's period.
//
// Counts are the activities that occurred by asOf and revenue is the amount of deals whose state at
// asOf is won, by period of closed_at. Each rep is active from the first to the last period holding
// any of their activity or won revenue (so reps who join or leave mid-history are observed only while
// present, and a leaver's late closes of deals they sourced still count); periods in between with
// nothing are kept as zeros. The panel starts at the first period with any data, at most
// maxPanelPeriods before the as-of period.
func LoadHistory(ctx context.Context, st *queries.Store, firm string, grain salesrecipe.Grain, asOf time.Time) (*History, error) {
	reps, err := st.Reps(ctx, firm)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", firm, err)
	}
	return loadHistory(ctx, storeHistory{storeReader{st: st, firm: firm}, st}, grain, asOf, reps)
}

// historyReader answers the reads a history needs.
type historyReader interface {
	countsAt(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error)
	revenue(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.Revenue, error)
}

// loadHistory is LoadHistory from a reader, with the firm's reps already read.
func loadHistory(ctx context.Context, rd historyReader, grain salesrecipe.Grain, asOf time.Time, reps []salesrecipe.Rep) (*History, error) {
	end := salesrecipe.NewPeriod(grain, asOf)
	start := end
	for range maxPanelPeriods[grain] {
		start = start.Prev()
	}
	counts, err := rd.countsAt(ctx, grain, start.Start, end.Start, asOf)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	revenue, err := rd.revenue(ctx, grain, start.Start, end.Start, asOf)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return buildHistory(grain, end, counts, revenue, reps, asOf), nil
}

// buildHistory assembles the panel from activity counts and won revenue (rows of unknown reps included).
func buildHistory(grain salesrecipe.Grain, end salesrecipe.Period, counts []queries.ActivityCount, revenue []queries.Revenue, reps []salesrecipe.Rep, asOf time.Time) *History {
	h := &History{AsOf: asOf, Panel: &model.Panel{Grain: grain}}
	first, ok := firstPeriod(grain, counts, revenue)
	if !ok {
		return h
	}
	for p := first; p.Start.Before(end.Start); p = p.Next() {
		h.Periods = append(h.Periods, p)
	}
	p := h.Panel
	p.Periods = len(h.Periods)
	p.Kinds = kindsOf(counts)
	p.Reps = repIDs(reps, counts, revenue)
	index := func(t time.Time) int { return periodIndex(h.Periods, salesrecipe.NewPeriod(grain, t)) }
	rep := indexOf(p.Reps)
	kind := indexOf(p.Kinds)
	p.Counts, p.Revenue = make([][][]float64, len(p.Reps)), make([][]float64, len(p.Reps))
	for r := range p.Reps {
		p.Counts[r] = make([][]float64, p.Periods)
		for t := range p.Counts[r] {
			p.Counts[r][t] = make([]float64, len(p.Kinds))
		}
		p.Revenue[r] = make([]float64, p.Periods)
	}
	span := newSpans(len(p.Reps))
	for _, c := range counts {
		r, t := rep[c.RepID], index(c.Period)
		p.Counts[r][t][kind[c.Kind]] += float64(c.N)
		span.see(r, t)
	}
	for _, v := range revenue {
		r, t := rep[v.RepID], index(v.Period)
		p.Revenue[r][t] += v.Amount
		span.see(r, t)
	}
	p.Active = span.active(p.Periods)
	return h
}

// firstPeriod returns the earliest period holding any count or revenue.
func firstPeriod(grain salesrecipe.Grain, counts []queries.ActivityCount, revenue []queries.Revenue) (salesrecipe.Period, bool) {
	var first time.Time
	for _, c := range counts {
		if first.IsZero() || c.Period.Before(first) {
			first = c.Period
		}
	}
	for _, v := range revenue {
		if first.IsZero() || v.Period.Before(first) {
			first = v.Period
		}
	}
	return salesrecipe.NewPeriod(grain, first), !first.IsZero()
}

// periodIndex returns the index of p in periods, which are consecutive.
func periodIndex(periods []salesrecipe.Period, p salesrecipe.Period) int {
	return sort.Search(len(periods), func(i int) bool { return !periods[i].Start.Before(p.Start) })
}

// kindsOf returns the activity kinds seen, sorted.
func kindsOf(counts []queries.ActivityCount) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range counts {
		if !seen[c.Kind] {
			seen[c.Kind] = true
			out = append(out, c.Kind)
		}
	}
	sort.Strings(out)
	return out
}

// repIDs returns the known reps plus any rep id seen only in the data, sorted.
func repIDs(reps []salesrecipe.Rep, counts []queries.ActivityCount, revenue []queries.Revenue) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, r := range reps {
		add(r.ID)
	}
	for _, c := range counts {
		add(c.RepID)
	}
	for _, v := range revenue {
		add(v.RepID)
	}
	sort.Strings(out)
	return out
}

// indexOf maps each string to its position.
func indexOf(xs []string) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[x] = i
	}
	return m
}

// spans tracks each rep's first and last period with data.
type spans struct{ lo, hi []int }

// newSpans returns empty spans for n reps.
func newSpans(n int) *spans {
	s := &spans{lo: make([]int, n), hi: make([]int, n)}
	for r := range s.lo {
		s.lo[r], s.hi[r] = -1, -1
	}
	return s
}

// see records data of rep r in period t.
func (s *spans) see(r, t int) {
	if s.lo[r] < 0 || t < s.lo[r] {
		s.lo[r] = t
	}
	if t > s.hi[r] {
		s.hi[r] = t
	}
}

// active marks each rep active from their first to their last period with data.
func (s *spans) active(periods int) [][]bool {
	out := make([][]bool, len(s.lo))
	for r := range out {
		out[r] = make([]bool, periods)
		for t := max(s.lo[r], 0); s.lo[r] >= 0 && t <= s.hi[r]; t++ {
			out[r][t] = true
		}
	}
	return out
}
