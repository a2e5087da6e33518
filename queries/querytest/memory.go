package querytest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// Memory holds firms' rows in memory and answers the reads a forecast, a fit and a backtest make
// (and keeps the recipes and snapshots they write) as the Store does, so that their logic can be
// tested without the engine; queries' TestMemoryAnswersAsTheStore checks the two agree.
type Memory struct {
	mu    sync.Mutex
	firms map[string]*memFirm
}

// memFirm is one firm's rows in load order.
type memFirm struct {
	reps      []salesrecipe.Rep
	stages    []salesrecipe.Stage
	quotas    []salesrecipe.Quota
	deals     []salesrecipe.Deal
	acts      []salesrecipe.Activity
	recipes   []queries.StoredRecipe
	snapshots []queries.Snapshot
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{firms: map[string]*memFirm{}} }

// firm returns a firm's rows, creating them on first use; the caller holds mu.
func (m *Memory) firm(name string) *memFirm {
	f := m.firms[name]
	if f == nil {
		f = &memFirm{}
		m.firms[name] = f
	}
	return f
}

// AddReps loads reps; a rep loaded again replaces its earlier state, as in the store.
func (m *Memory) AddReps(firm string, rows ...salesrecipe.Rep) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	f.reps = append(f.reps, rows...)
}

// AddStages loads stages; a stage loaded again replaces its earlier state.
func (m *Memory) AddStages(firm string, rows ...salesrecipe.Stage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	f.stages = append(f.stages, rows...)
}

// AddQuotas loads quotas; a quota of the same rep, grain and start loaded again replaces the earlier.
func (m *Memory) AddQuotas(firm string, rows ...salesrecipe.Quota) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	f.quotas = append(f.quotas, rows...)
}

// AddDeals loads deal versions as one load, as the store does (salesrecipe.CompleteHistory): a missing created_at
// takes the deal's first known time, and a deal known by one version gets an inferred one, unless versions of it
// were loaded before.
func (m *Memory) AddDeals(firm string, rows ...salesrecipe.Deal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	known := map[string]bool{}
	for _, d := range f.deals {
		known[d.ID] = true
	}
	done, _ := salesrecipe.CompleteHistory(rows)
	for _, d := range done {
		if !d.Inferred || !known[d.ID] {
			f.deals = append(f.deals, d)
		}
	}
}

// AddActivities loads activities (each id once, as the store requires).
func (m *Memory) AddActivities(firm string, rows ...salesrecipe.Activity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	f.acts = append(f.acts, rows...)
}

// rows returns a copy of a firm's rows, safe to read without the lock.
func (m *Memory) rows(firm string) memFirm {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.firm(firm)
}

// latest keeps the last row of each key, in key order.
func latest[T any, K cmp.Ordered](rows []T, key func(T) K) []T {
	by := map[K]T{}
	for _, r := range rows {
		by[key(r)] = r
	}
	out := make([]T, 0, len(by))
	for _, k := range slices.Sorted(maps.Keys(by)) {
		out = append(out, by[k])
	}
	return out
}

// Reps returns the latest state of every rep, by id.
func (m *Memory) Reps(_ context.Context, firm string) ([]salesrecipe.Rep, error) {
	return latest(m.rows(firm).reps, func(r salesrecipe.Rep) string { return r.ID }), nil
}

// Stages returns the latest state of every stage in pipeline order.
func (m *Memory) Stages(_ context.Context, firm string) ([]salesrecipe.Stage, error) {
	out := latest(m.rows(firm).stages, func(s salesrecipe.Stage) string { return s.Name })
	slices.SortStableFunc(out, func(a, b salesrecipe.Stage) int { return cmp.Compare(a.Position, b.Position) })
	return out, nil
}

// Quotas returns the latest amount of every quota whose period starts in [from, to) (whole days).
func (m *Memory) Quotas(_ context.Context, firm string, from, to time.Time) ([]salesrecipe.Quota, error) {
	lo, hi := salesrecipe.DayOf(from), salesrecipe.DayOf(to)
	var in []salesrecipe.Quota
	for _, q := range m.rows(firm).quotas {
		if !q.PeriodStart.Before(lo) && q.PeriodStart.Before(hi) {
			in = append(in, q)
		}
	}
	out := latest(in, func(q salesrecipe.Quota) string {
		return q.RepID + "\x00" + q.PeriodStart.UTC().Format(time.DateOnly) + "\x00" + string(q.Period)
	})
	return out, nil
}

// ActivityCounts returns activities per rep x period x kind of the days in [from, to) (whole days)
// that occurred at or before asOf, by rep, period and kind.
func (m *Memory) ActivityCounts(_ context.Context, firm string, grain salesrecipe.Grain, from, to, asOf time.Time) ([]queries.ActivityCount, error) {
	type key struct {
		rep    string
		period int64
		kind   string
	}
	lo, hi := salesrecipe.DayOf(from), salesrecipe.DayOf(to)
	n := map[key]uint64{}
	for _, a := range m.rows(firm).acts {
		if a.OccurredAt.After(asOf) || a.OccurredAt.Before(lo) || !a.OccurredAt.Before(hi) {
			continue
		}
		n[key{a.RepID, salesrecipe.NewPeriod(grain, a.OccurredAt).Start.Unix(), a.Kind}]++
	}
	out := make([]queries.ActivityCount, 0, len(n))
	for k, c := range n {
		out = append(out, queries.ActivityCount{RepID: k.rep, Period: time.Unix(k.period, 0).UTC(), Kind: k.kind, N: c})
	}
	slices.SortFunc(out, func(a, b queries.ActivityCount) int {
		return cmp.Or(cmp.Compare(a.RepID, b.RepID), a.Period.Compare(b.Period), cmp.Compare(a.Kind, b.Kind))
	})
	return out, nil
}

// FirmData returns what is known of the firm at asOf, with the own days of moments.
func (m *Memory) FirmData(_ context.Context, firm string, asOf time.Time, moments []time.Time) (*salesrecipe.FirmData, error) {
	f := m.rows(firm)
	return salesrecipe.NewFirmData(asOf, moments, f.deals, f.acts), nil
}

// PeriodDeals returns the deals whose state at asOf is open, or won with closed_at in [from, to)
// (whole days), with every version of each known at asOf.
func (m *Memory) PeriodDeals(_ context.Context, firm string, from, to, asOf time.Time) (*salesrecipe.FirmData, error) {
	lo, hi := salesrecipe.DayOf(from), salesrecipe.DayOf(to)
	deals := m.rows(firm).deals
	state := map[string]salesrecipe.Deal{}
	for _, d := range deals {
		if s, ok := state[d.ID]; !d.UpdatedAt.After(asOf) && (!ok || !d.UpdatedAt.Before(s.UpdatedAt)) {
			state[d.ID] = d
		}
	}
	var keep []salesrecipe.Deal
	for _, d := range deals {
		s := state[d.ID]
		if s.Status == salesrecipe.StatusOpen || s.Status == salesrecipe.StatusWon && !s.ClosedAt.Before(lo) && s.ClosedAt.Before(hi) {
			keep = append(keep, d)
		}
	}
	return salesrecipe.NewFirmData(asOf, nil, keep, nil), nil
}

// SaveRecipe stores one fit, its times as the store keeps them (milliseconds, days).
func (m *Memory) SaveRecipe(_ context.Context, r queries.StoredRecipe) error {
	r.FittedAt, r.AsOf = r.FittedAt.UTC().Truncate(time.Millisecond), r.AsOf.UTC().Truncate(time.Millisecond)
	r.DataFrom, r.DataTo = salesrecipe.DayOf(r.DataFrom), salesrecipe.DayOf(r.DataTo)
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(r.Firm)
	f.recipes = append(f.recipes, r)
	return nil
}

// LatestRecipe returns the fit of a firm and grain on the data known at the latest moment <= asOf
// (the newest fit among equals); ok is false when there is none.
func (m *Memory) LatestRecipe(_ context.Context, firm, grain string, asOf time.Time) (queries.StoredRecipe, bool, error) {
	var out queries.StoredRecipe
	ok := false
	for _, r := range m.rows(firm).recipes {
		if r.Grain != grain || r.AsOf.After(asOf) {
			continue
		}
		if !ok || cmp.Or(r.AsOf.Compare(out.AsOf), r.FittedAt.Compare(out.FittedAt)) > 0 {
			out, ok = r, true
		}
	}
	return out, ok, nil
}

// SaveSnapshots keeps the rows of one forecast run.
func (m *Memory) SaveSnapshots(_ context.Context, firm string, rows []queries.Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.firm(firm)
	f.snapshots = append(f.snapshots, rows...)
	return nil
}

// Snapshots returns every snapshot row stored for a firm, in the order saved.
func (m *Memory) Snapshots(firm string) []queries.Snapshot {
	return slices.Clone(m.rows(firm).snapshots)
}
