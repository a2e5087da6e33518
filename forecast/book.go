package forecast

import (
	"math"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// openDeal is an open deal's state at one moment.
type openDeal struct {
	RepID      string
	Stage      string
	Amount     float64
	CloseDate  time.Time
	Created    time.Time // zero when unknown
	StageSince time.Time // when it entered its stage; zero when unknown
	Pushes     int       // times its expected close date moved later
}

// openState returns version i of a deal's history as an open deal, with the time it entered its
// openState returns version i of a deal's history as an open deal, with the time it entered its
// stage and how often its close date was pushed up to then.
func openState(h []salesrecipe.Deal, i int) openDeal {
	w := dealWalk{h: h}
	for w.v <= i {
		w.apply()
	}
	return w.state()
}

// book holds every deal's versions known at one moment, for point-in-time states at earlier moments.
type book struct {
	asOf   time.Time
	deals  [][]salesrecipe.Deal // per deal, versions sorted by UpdatedAt
	spans  []openSpan           // per deal, when it can be open
	closes []closeRef           // every distinct close time of every deal, sorted; built on first use
}

// closeRef is one close time some version of a deal records.
type closeRef struct {
	at   int64 // Unix milliseconds
	deal int
}

// closedBetween returns the deals some version of which closed in [from, to), each once.
func (b *book) closedBetween(from, to time.Time) []int {
	if b.closes == nil {
		b.closes = []closeRef{}
		for i, h := range b.deals {
			var last int64
			for _, v := range h {
				if at := v.ClosedAt.UnixMilli(); !v.ClosedAt.IsZero() && at != last {
					b.closes = append(b.closes, closeRef{at, i})
					last = at
				}
			}
		}
		sort.Slice(b.closes, func(x, y int) bool { return b.closes[x].at < b.closes[y].at })
	}
	lo, hi := from.UnixMilli(), to.UnixMilli()
	i := sort.Search(len(b.closes), func(i int) bool { return b.closes[i].at >= lo })
	seen := map[int]bool{}
	var out []int
	for ; i < len(b.closes) && b.closes[i].at < hi; i++ {
		if d := b.closes[i].deal; !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Ints(out)
	return out
}

// newBook groups versions (known at asOf) by deal, each sorted by update time.
func newBook(versions []salesrecipe.Deal, asOf time.Time) *book {
	byID := map[string]int{}
	b := &book{asOf: asOf}
	for _, v := range versions {
		if v.UpdatedAt.After(asOf) {
			continue
		}
		i, ok := byID[v.ID]
		if !ok {
			i = len(b.deals)
			byID[v.ID] = i
			b.deals = append(b.deals, nil)
		}
		b.deals[i] = append(b.deals[i], v)
	}
	for _, h := range b.deals {
		sort.SliceStable(h, func(x, y int) bool { return h[x].UpdatedAt.Before(h[y].UpdatedAt) })
	}
	b.spans = spansOf(b.deals)
	return b
}

// openSpan bounds, in Unix milliseconds, the moments at which a deal can be open: from its first
// version, and before closed, the time of the version from which it stays closed (none: max int64).
type openSpan struct{ from, closed int64 }

// spansOf returns each deal's open span, so that reads at a moment skip deals not open then.
func spansOf(deals [][]salesrecipe.Deal) []openSpan {
	out := make([]openSpan, len(deals))
	for i, h := range deals {
		sp := openSpan{from: h[0].UpdatedAt.UnixMilli(), closed: math.MaxInt64}
		for j := len(h) - 1; j >= 0 && h[j].Status != salesrecipe.StatusOpen; j-- {
			sp.closed = h[j].UpdatedAt.UnixMilli()
		}
		out[i] = sp
	}
	return out
}

// stateAt returns a deal's latest version with UpdatedAt <= m.
func stateAt(h []salesrecipe.Deal, m time.Time) (salesrecipe.Deal, bool) {
	i := stateIndex(h, m)
	if i < 0 {
		return salesrecipe.Deal{}, false
	}
	return h[i], true
}

// stateIndex returns the index of a deal's latest version with UpdatedAt <= m, -1 when none.
func stateIndex(h []salesrecipe.Deal, m time.Time) int {
	switch {
	case !h[len(h)-1].UpdatedAt.After(m):
		return len(h) - 1
	case h[0].UpdatedAt.After(m):
		return -1
	}
	return sort.Search(len(h), func(i int) bool { return h[i].UpdatedAt.After(m) }) - 1
}

// won returns, per rep, the amount of deals whose state at m is won with closed_at in [from, to).
func (b *book) won(from, to, m time.Time) map[string]float64 {
	out := map[string]float64{}
	for _, i := range b.closedBetween(from, to) {
		d, ok := stateAt(b.deals[i], m)
		if ok && d.Status == salesrecipe.StatusWon && !d.ClosedAt.Before(from) && d.ClosedAt.Before(to) {
			out[d.RepID] += d.Amount
		}
	}
	return out
}

// open returns the deals whose state at m is open.
func (b *book) open(m time.Time) []openDeal {
	var out []openDeal
	mm := m.UnixMilli()
	for k, h := range b.deals {
		if sp := b.spans[k]; mm < sp.from || mm >= sp.closed {
			continue
		}
		if i := stateIndex(h, m); i >= 0 && h[i].Status == salesrecipe.StatusOpen {
			out = append(out, openState(h, i))
		}
	}
	return out
}

// at returns the book as known at m: each deal's versions with UpdatedAt <= m.
func (b *book) at(m time.Time) *book {
	if !m.Before(b.asOf) {
		return b
	}
	out := &book{asOf: m, deals: make([][]salesrecipe.Deal, 0, len(b.deals))}
	for _, h := range b.deals {
		i := sort.Search(len(h), func(i int) bool { return h[i].UpdatedAt.After(m) })
		if i > 0 {
			out.deals = append(out.deals, h[:i])
		}
	}
	out.spans = spansOf(out.deals)
	return out
}

// winRate returns the share of closed deals that were won, with a uniform prior.
func (b *book) winRate() float64 {
	won, closed := 0.0, 0.0
	for _, h := range b.deals {
		switch h[len(h)-1].Status {
		case salesrecipe.StatusWon:
			won, closed = won+1, closed+1
		case salesrecipe.StatusLost:
			closed++
		}
	}
	return (won + 1) / (closed + 2)
}

// wonAfter returns, per rep, the number of deals whose state at asOf is won with closed_at in
// [from, to), split into deals open at from and deals created after it.
func (b *book) wonAfter(from, to, asOf time.Time) (pipe, fresh map[string]float64) {
	pipe, fresh = map[string]float64{}, map[string]float64{}
	for _, i := range b.closedBetween(from, to) {
		h := b.deals[i]
		d, ok := stateAt(h, asOf)
		if !ok || d.Status != salesrecipe.StatusWon || d.ClosedAt.Before(from) || !d.ClosedAt.Before(to) {
			continue
		}
		switch then, existed := stateAt(h, from); {
		case !existed:
			fresh[d.RepID]++
		case then.Status == salesrecipe.StatusOpen:
			pipe[d.RepID]++
		}
	}
	return pipe, fresh
}

// minAmounts is the fewest won deals created in their closing period whose amounts describe new
// business; with fewer, all won deals are used.
const minAmounts = 30

// newAmounts returns the amounts (see amountSample) of won deals closed before end and
// created in the period they closed in (all won deals when there are few), nil when none was won.
func (b *book) newAmounts(grain salesrecipe.Grain, end time.Time) []float64 {
	var same, all []float64
	for _, h := range b.deals {
		d := h[len(h)-1]
		if d.Status != salesrecipe.StatusWon || !d.ClosedAt.Before(end) {
			continue
		}
		all = append(all, d.Amount)
		if salesrecipe.NewPeriod(grain, d.CreatedAt).Start.Equal(salesrecipe.NewPeriod(grain, d.ClosedAt).Start) {
			same = append(same, d.Amount)
		}
	}
	if len(same) < minAmounts {
		same = all
	}
	if len(same) == 0 {
		return nil
	}
	sort.Float64s(same)
	return amountSample(same)
}
