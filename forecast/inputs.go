package forecast

import (
	"context"
	"fmt"
	"slices"
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
	st      Store
	firm    string
	derived bool // the counts are new opportunities derived from the deals (a firm without activity rows)
}

// deals reads the period's won and open deals, with their versions, and the deals won in the window
// that values open deals of unknown amount (see amountWindow), in one query, and answers from them as
// a fit's book does.
func (r storeReader) deals(ctx context.Context, p salesrecipe.Period, at time.Time) (won, last map[string]float64, open []openDeal, err error) {
	from := p.Prev().Start
	if w := amountWindow(p.Grain, at); w.Before(from) {
		from = w
	}
	fd, err := r.st.PeriodDeals(ctx, r.firm, from, p.End(), at)
	if err != nil {
		return nil, nil, nil, err
	}
	won, last, open = newBook(fd).period(p, at)
	return won, last, open, nil
}

// countsAt returns activity counts known at at.
func (r storeReader) countsAt(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error) {
	if r.derived {
		return derivedCounts(ctx, r.st, r.firm, grain, from, to, at)
	}
	return r.st.ActivityCounts(ctx, r.firm, grain, from, to, at)
}

// storeHistory answers a history's reads straight from the ClickHouse store.
type storeHistory struct {
	storeReader
	ch *queries.Store
}

// revenue returns won revenue per rep x period of closed_at in [from, to), as known at at.
func (r storeHistory) revenue(ctx context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.Revenue, error) {
	return r.ch.WonRevenue(ctx, r.firm, grain, from, to, at)
}

// bookReader answers every read from a firm's data held in memory: deals from its book, activity
// counts from per rep x kind running totals over its days plus the moments' own days.
type bookReader struct {
	book    *book
	fd      *salesrecipe.FirmData
	totals  []int32    // activities of rep r, kind k before day d at [(r*len(kinds)+k)*(days+1)+d]
	created *creations // the deals' creations, counted as new opportunities when the firm has no activity rows; nil otherwise
}

// newBookReader indexes a firm's data for reads.
func newBookReader(fd *salesrecipe.FirmData) *bookReader {
	r := &bookReader{book: newBook(fd), fd: fd}
	if len(fd.Kinds) == 0 {
		r.created = creationsOf(fd)
	}
	n := fd.Days + 1
	series := len(fd.Reps) * len(fd.Kinds)
	r.totals = make([]int32, series*n)
	for s := range series {
		day, tot := fd.Daily[s*fd.Days:(s+1)*fd.Days], r.totals[s*n:(s+1)*n]
		for d, c := range day {
			tot[d+1] = tot[d] + c
		}
	}
	return r
}

// deals answers from the book.
func (r *bookReader) deals(_ context.Context, p salesrecipe.Period, at time.Time) (won, last map[string]float64, open []openDeal, err error) {
	if at.After(r.book.asOf) {
		return nil, nil, nil, fmt.Errorf("book known at %s cannot answer for %s", r.book.asOf, at)
	}
	won, last, open = r.book.period(p, at)
	return won, last, open, nil
}

// countsAt returns the activities per rep x period x kind for the periods in [from, to) that
// occurred by at, as the store's activity_counts.sql does: whole days before at's day, and at's own
// day up to at, which the firm's data holds for the moments it was read with.
func (r *bookReader) countsAt(_ context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.ActivityCount, error) {
	fd := r.fd
	if at.After(fd.AsOf) {
		return nil, fmt.Errorf("activities known at %s cannot answer for %s", fd.AsOf, at)
	}
	if r.created != nil {
		return r.created.counts(grain, from, to, at), nil
	}
	today := salesrecipe.DayOf(at)
	var part []int32
	if today.Before(to) && !today.Before(from) {
		i, ok := slices.BinarySearchFunc(fd.Partial, at.UTC().Truncate(time.Millisecond), func(p salesrecipe.PartialDay, t time.Time) int { return p.At.Compare(t) })
		if !ok {
			return nil, fmt.Errorf("activity counts as of %s: the firm's data was not read for that moment", at.UTC().Format(time.RFC3339Nano))
		}
		part = fd.Partial[i].Counts
	}
	periods := salesrecipe.PeriodsBetween(grain, from, to)
	var out []queries.ActivityCount
	for rep, id := range fd.Reps {
		for _, p := range periods {
			lo, hi := r.dayIndex(later(p.Start, from)), r.dayIndex(earlier(earlier(p.End(), to), today))
			for k, kind := range fd.Kinds {
				s := rep*len(fd.Kinds) + k
				n := int64(0)
				if hi > lo {
					n = int64(r.totals[s*(fd.Days+1)+hi] - r.totals[s*(fd.Days+1)+lo])
				}
				if part != nil && p.Contains(today) {
					n += int64(part[s])
				}
				if n > 0 {
					out = append(out, queries.ActivityCount{RepID: id, Period: p.Start, Kind: kind, N: uint64(n)})
				}
			}
		}
	}
	return out, nil
}

// dayIndex returns the index of t's day among the data's days, clamped to [0, days].
func (r *bookReader) dayIndex(t time.Time) int {
	d := int(salesrecipe.DayOf(t).Sub(r.fd.FirstDay).Hours() / 24)
	return min(max(d, 0), r.fd.Days)
}

// revenue returns won revenue per rep x period of closed_at in [from, to), as known at at.
func (r *bookReader) revenue(_ context.Context, grain salesrecipe.Grain, from, to, at time.Time) ([]queries.Revenue, error) {
	if at.After(r.book.asOf) {
		return nil, fmt.Errorf("book known at %s cannot answer for %s", r.book.asOf, at)
	}
	return r.book.revenue(grain, from, to, at), nil
}
