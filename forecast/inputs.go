package forecast

import (
	"context"
	"fmt"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// paceBack is how many complete periods set a rep's usual activity pace.
const paceBack = 3

// inputs is what is known at one moment about one period.
type inputs struct {
	period salesrecipe.Period
	at     time.Time
	won    map[string]float64      // won with closed_at in the period, by rep
	last   map[string]float64      // won in the previous period, by rep
	open   []openDeal              // deals open at the moment
	counts []queries.ActivityCount // activities by rep x period x kind over the window, as of the moment
	window []salesrecipe.Period    // the periods counts cover, oldest first, ending with period
}

// reader answers the point-in-time reads a forecast needs.
type reader interface {
	wonBetween(ctx context.Context, from, to, at time.Time) (map[string]float64, error)
	openAt(ctx context.Context, at time.Time) ([]openDeal, error)
	countsAt(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error)
}

// readInputs gathers the inputs of period p as of at, with counts back lags periods (at least paceBack).
func readInputs(ctx context.Context, rd reader, p salesrecipe.Period, at time.Time, lags int) (*inputs, error) {
	in := &inputs{period: p, at: at}
	first := p
	for range max(lags, paceBack) {
		first = first.Prev()
	}
	for q := first; !q.Start.After(p.Start); q = q.Next() {
		in.window = append(in.window, q)
	}
	var err error
	if in.won, err = rd.wonBetween(ctx, p.Start, p.End(), at); err != nil {
		return nil, fmt.Errorf("closed won in %s: %w", p, err)
	}
	if in.last, err = rd.wonBetween(ctx, p.Prev().Start, p.Start, at); err != nil {
		return nil, fmt.Errorf("closed won in %s: %w", p.Prev(), err)
	}
	if in.open, err = rd.openAt(ctx, at); err != nil {
		return nil, fmt.Errorf("open deals: %w", err)
	}
	if in.counts, err = rd.countsAt(ctx, p.Grain, first.Start, p.End(), at); err != nil {
		return nil, fmt.Errorf("activity counts: %w", err)
	}
	return in, nil
}

// storeReader reads straight from the store.
type storeReader struct {
	st   *queries.Store
	firm string
}

// wonBetween sums won revenue by rep for closes in [from, to) known at at.
func (r storeReader) wonBetween(ctx context.Context, from, to, at time.Time) (map[string]float64, error) {
	rows, err := r.st.WonRevenue(ctx, r.firm, salesrecipe.GrainMonth, from, to, at)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, v := range rows {
		out[v.RepID] += v.Amount
	}
	return out, nil
}

// openAt returns the deals open at at.
func (r storeReader) openAt(ctx context.Context, at time.Time) ([]openDeal, error) {
	rows, err := r.st.OpenDeals(ctx, r.firm, at)
	if err != nil {
		return nil, err
	}
	out := make([]openDeal, len(rows))
	for i, d := range rows {
		out[i] = openDeal{RepID: d.RepID, Stage: d.Stage, Amount: d.Amount, CloseDate: d.CloseDate}
	}
	return out, nil
}

// countsAt returns activity counts known at at.
func (r storeReader) countsAt(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error) {
	return r.st.ActivityCounts(ctx, r.firm, grain, from, to, at)
}

// bookReader answers deal reads from an in-memory book and counts from the store, memoized.
type bookReader struct {
	storeReader
	book *book
	memo map[countKey][]queries.ActivityCount
}

// countKey identifies one activity count read.
type countKey struct {
	grain        salesrecipe.Grain
	from, to, at time.Time
}

// wonBetween sums won revenue by rep from the book.
func (r *bookReader) wonBetween(_ context.Context, from, to, at time.Time) (map[string]float64, error) {
	if at.After(r.book.asOf) {
		return nil, fmt.Errorf("book known at %s cannot answer for %s", r.book.asOf, at)
	}
	return r.book.won(from, to, at), nil
}

// openAt returns the open deals from the book.
func (r *bookReader) openAt(_ context.Context, at time.Time) ([]openDeal, error) {
	if at.After(r.book.asOf) {
		return nil, fmt.Errorf("book known at %s cannot answer for %s", r.book.asOf, at)
	}
	return r.book.open(at), nil
}

// countsAt reads counts from the store once per distinct request.
func (r *bookReader) countsAt(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error) {
	k := countKey{grain, from, to, at}
	if c, ok := r.memo[k]; ok {
		return c, nil
	}
	c, err := r.storeReader.countsAt(ctx, grain, from, to, at)
	if err == nil {
		r.memo[k] = c
	}
	return c, err
}
