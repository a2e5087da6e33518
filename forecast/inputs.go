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
	// deals returns, by rep, won with closed_at in p and in the period before, and the open deals, at at.
	deals(ctx context.Context, p salesrecipe.Period, at time.Time) (won, last map[string]float64, open []openDeal, err error)
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
	if in.won, in.last, in.open, err = rd.deals(ctx, p, at); err != nil {
		return nil, fmt.Errorf("deals of %s: %w", p, err)
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

// deals reads the period's won and open deals in one pass over the deal history.
func (r storeReader) deals(ctx context.Context, p salesrecipe.Period, at time.Time) (won, last map[string]float64, open []openDeal, err error) {
	rows, err := r.st.PeriodDeals(ctx, r.firm, p.Prev().Start, p.End(), at)
	if err != nil {
		return nil, nil, nil, err
	}
	won, last = map[string]float64{}, map[string]float64{}
	for _, d := range rows {
		switch {
		case d.Status == string(salesrecipe.StatusOpen):
			open = append(open, openDeal{RepID: d.RepID, Stage: d.Stage, Amount: d.Amount, CloseDate: d.CloseDate, Created: d.CreatedAt, StageSince: d.StageSince, Pushes: int(d.Pushes)})
		case p.Contains(d.ClosedAt):
			won[d.RepID] += d.Amount
		default:
			last[d.RepID] += d.Amount
		}
	}
	return won, last, open, nil
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

// deals answers from the book.
func (r *bookReader) deals(_ context.Context, p salesrecipe.Period, at time.Time) (won, last map[string]float64, open []openDeal, err error) {
	if at.After(r.book.asOf) {
		return nil, nil, nil, fmt.Errorf("book known at %s cannot answer for %s", r.book.asOf, at)
	}
	return r.book.won(p.Start, p.End(), at), r.book.won(p.Prev().Start, p.Start, at), r.book.open(at), nil
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
