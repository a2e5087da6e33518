package forecast

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// openDeal is an open deal's state at one moment.
type openDeal struct {
	RepID      string
	Stage      string
	Amount     float64 // its amount; for an inferred version, estimated (see book.amountAt)
	Estimated  bool    // the amount is estimated: the version is inferred, or open with amount 0 (unknown)
	CloseDate  time.Time
	Created    time.Time // zero when unknown
	StageSince time.Time // when it entered its stage; zero when unknown
	Pushes     int       // times its expected close date moved later
}

// version is one deal version as the book holds it (salesrecipe.FirmData's compact form).
type version = salesrecipe.DealVersion

// book holds every deal's versions known at one moment, for point-in-time states at earlier moments.
type book struct {
	asOf   time.Time
	reps   []string               // rep ids by version.Rep
	stages []string               // stage names by version.Stage
	deals  [][]version            // per deal, versions sorted by update time
	spans  []openSpan             // per deal, when it can be open
	closes []closeRef             // every distinct close time of every deal, sorted; built on first use
	closed map[[2]int64][]int     // closedBetween's answers by [from, to) in Unix milliseconds
	means  map[[2]int64]*wonMeans // wonMeans's answers by [from, to) in Unix milliseconds
	mu     sync.Mutex             // guards closes, closed and means: training moments are read in parallel
}

// wonMeans holds the mean amounts of the deals won in a window, the firm's and each rep's.
type wonMeans struct {
	firm  tally            // n: wins, won: their amounts
	byRep map[int32]*tally // the same per rep
}

// amountPrior is the weight, in wins, of the firm's mean amount in a rep's estimated amount.
const amountPrior = 5

// estimate returns a rep's expected amount of a won deal: the mean amount of the rep's wins shrunk
// toward the firm's by amountPrior wins; 0 when nobody won.
func (w *wonMeans) estimate(rep int32) float64 {
	if w.firm.n == 0 {
		return 0
	}
	firm := w.firm.won / w.firm.n
	var own tally
	if t := w.byRep[rep]; t != nil {
		own = *t
	}
	return (own.won + amountPrior*firm) / (own.n + amountPrior)
}

// wonMeans returns the mean amounts of the deals whose state at to is won with closed_at in
// [from, to): what is known at to of the amount a won deal brings.
func (b *book) wonMeans(from, to time.Time) *wonMeans {
	key := [2]int64{from.UnixMilli(), to.UnixMilli()}
	b.mu.Lock()
	out, ok := b.means[key]
	b.mu.Unlock()
	if ok {
		return out
	}
	out = &wonMeans{byRep: map[int32]*tally{}}
	for _, i := range b.closedBetween(from, to) {
		d, ok := stateAt(b.deals[i], to)
		if !ok || !wonIn(d, from, to) {
			continue
		}
		t := out.byRep[d.Rep]
		if t == nil {
			t = &tally{}
			out.byRep[d.Rep] = t
		}
		t.n, t.won = t.n+1, t.won+d.Amount
		out.firm.n, out.firm.won = out.firm.n+1, out.firm.won+d.Amount
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.means == nil {
		b.means = map[[2]int64]*wonMeans{}
	}
	b.means[key] = out
	return out
}

// amountWindow returns the start of the window whose wins value, at m, an open deal of unknown
// amount: the period before m's period.
func amountWindow(grain salesrecipe.Grain, m time.Time) time.Time {
	return salesrecipe.NewPeriod(grain, m).Prev().Start
}

// closeRef is one close time some version of a deal records.
type closeRef struct {
	at   int64 // Unix milliseconds
	deal int
}

// closedBetween returns the deals some version of which closed in [from, to), each once; callers
// must not change the answer (it is cached).
func (b *book) closedBetween(from, to time.Time) []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closes == nil {
		b.closes = []closeRef{}
		for i, h := range b.deals {
			var last int64
			for _, v := range h {
				if at := v.Closed; at != salesrecipe.Unknown && at != last {
					b.closes = append(b.closes, closeRef{at, i})
					last = at
				}
			}
		}
		sort.Slice(b.closes, func(x, y int) bool { return b.closes[x].at < b.closes[y].at })
	}
	lo, hi := from.UnixMilli(), to.UnixMilli()
	if out, ok := b.closed[[2]int64{lo, hi}]; ok {
		return out
	}
	i := sort.Search(len(b.closes), func(i int) bool { return b.closes[i].at >= lo })
	seen := make([]bool, len(b.deals))
	n := 0
	for ; i < len(b.closes) && b.closes[i].at < hi; i++ {
		if d := b.closes[i].deal; !seen[d] {
			seen[d] = true
			n++
		}
	}
	out := make([]int, 0, n)
	for d, ok := range seen {
		if ok {
			out = append(out, d)
		}
	}
	if b.closed == nil {
		b.closed = map[[2]int64][]int{}
	}
	b.closed[[2]int64{lo, hi}] = out
	return out
}

// newBook indexes the deals of a firm's data.
func newBook(fd *salesrecipe.FirmData) *book {
	b := &book{asOf: fd.AsOf, reps: fd.Reps, stages: fd.Stages, deals: make([][]version, len(fd.Deals))}
	for i := range fd.Deals {
		b.deals[i] = fd.Deal(i)
	}
	b.spans = spansOf(b.deals)
	return b
}

// floorMs returns t in Unix milliseconds rounded down: a time in milliseconds x is at or before t
// when x <= floorMs(t).
func floorMs(t time.Time) int64 {
	return t.UnixMilli()
}

// ceilMs returns t in Unix milliseconds rounded up: a time in milliseconds x is before t when
// x < ceilMs(t).
func ceilMs(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

// unixSec returns Unix milliseconds as Unix seconds rounded down, as time.Time.Unix does.
func unixSec(ms int64) int64 {
	s := ms / 1000
	if ms%1000 < 0 {
		s--
	}
	return s
}

// openSpan bounds, in Unix milliseconds, the moments at which a deal can be open: from its first
// version, and before closed, the time of the version from which it stays closed (none: max int64).
type openSpan struct{ from, closed int64 }

// spansOf returns each deal's open span, so that reads at a moment skip deals not open then.
func spansOf(deals [][]version) []openSpan {
	out := make([]openSpan, len(deals))
	for i, h := range deals {
		sp := openSpan{from: h[0].Updated, closed: math.MaxInt64}
		for j := len(h) - 1; j >= 0 && h[j].Status != salesrecipe.VersionOpen; j-- {
			sp.closed = h[j].Updated
		}
		out[i] = sp
	}
	return out
}

// stateAt returns a deal's latest version updated at or before m.
func stateAt(h []version, m time.Time) (version, bool) {
	i := stateIndex(h, m)
	if i < 0 {
		return version{}, false
	}
	return h[i], true
}

// stateIndex returns the index of a deal's latest version updated at or before m, -1 when none.
func stateIndex(h []version, m time.Time) int {
	mm := floorMs(m)
	switch {
	case h[len(h)-1].Updated <= mm:
		return len(h) - 1
	case h[0].Updated > mm:
		return -1
	}
	return sort.Search(len(h), func(i int) bool { return h[i].Updated > mm }) - 1
}

// wonIn reports whether a version is won with closed_at in [from, to).
func wonIn(d version, from, to time.Time) bool {
	return d.Status == salesrecipe.VersionWon && d.Closed != salesrecipe.Unknown && d.Closed >= ceilMs(from) && d.Closed < ceilMs(to)
}

// won returns, per rep, the amount of deals whose state at m is won with closed_at in [from, to).
func (b *book) won(from, to, m time.Time) map[string]float64 {
	out := map[string]float64{}
	for _, i := range b.closedBetween(from, to) {
		d, ok := stateAt(b.deals[i], m)
		if ok && wonIn(d, from, to) {
			out[b.reps[d.Rep]] += d.Amount
		}
	}
	return out
}

// revenue returns, per rep and period of closed_at in [from, to), the amount and number of deals
// whose state at m is won: what the recipe's history counts as revenue.
func (b *book) revenue(grain salesrecipe.Grain, from, to, m time.Time) []queries.Revenue {
	type key struct {
		rep    int32
		period int64
	}
	sums := map[key]*queries.Revenue{}
	for _, i := range b.closedBetween(from, to) {
		d, ok := stateAt(b.deals[i], m)
		if !ok || !wonIn(d, from, to) {
			continue
		}
		p := salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Closed)).Start
		k := key{d.Rep, p.Unix()}
		if sums[k] == nil {
			sums[k] = &queries.Revenue{RepID: b.reps[d.Rep], Period: p}
		}
		sums[k].Amount += d.Amount
		sums[k].Deals++
	}
	out := make([]queries.Revenue, 0, len(sums))
	for _, v := range sums {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].RepID != out[j].RepID {
			return out[i].RepID < out[j].RepID
		}
		return out[i].Period.Before(out[j].Period)
	})
	return out
}

// period returns what a forecast of p at m knows of deals: won per rep with closed_at in p and in
// the period before, and the open deals.
func (b *book) period(p salesrecipe.Period, m time.Time) (won, last map[string]float64, open []openDeal) {
	return b.won(p.Start, p.End(), m), b.won(p.Prev().Start, p.Start, m), b.open(m, amountWindow(p.Grain, m))
}

// open returns the deals whose state at m is open; an inferred version's unknown amount is
// estimated from the deals won in [from, m) (see dealWalk.state).
func (b *book) open(m, from time.Time) []openDeal {
	var out []openDeal
	mm := m.UnixMilli()
	for k, h := range b.deals {
		if sp := b.spans[k]; mm < sp.from || mm >= sp.closed {
			continue
		}
		if i := stateIndex(h, m); i >= 0 && h[i].Status == salesrecipe.VersionOpen {
			out = append(out, b.openState(h, i, from, m))
		}
	}
	return out
}

// openState returns version i of a deal's history as an open deal, with the time it entered its
// stage and how often its close date was pushed up to then, an unknown amount estimated from the
// deals won in [from, m).
func (b *book) openState(h []version, i int, from, m time.Time) openDeal {
	w := dealWalk{h: h}
	for w.v <= i {
		w.apply()
	}
	return w.state(b, from, m)
}

// at returns the book as known at m: each deal's versions updated at or before m.
func (b *book) at(m time.Time) *book {
	if !m.Before(b.asOf) {
		return b
	}
	mm := floorMs(m)
	out := &book{asOf: m, reps: b.reps, stages: b.stages, deals: make([][]version, 0, len(b.deals))}
	for _, h := range b.deals {
		i := sort.Search(len(h), func(i int) bool { return h[i].Updated > mm })
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
		case salesrecipe.VersionWon:
			won, closed = won+1, closed+1
		case salesrecipe.VersionLost:
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
		if !ok || !wonIn(d, from, to) {
			continue
		}
		switch then, existed := stateAt(h, from); {
		case !existed:
			fresh[b.reps[d.Rep]]++
		case then.Status == salesrecipe.VersionOpen:
			pipe[b.reps[d.Rep]]++
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
		if d.Status != salesrecipe.VersionWon || d.Closed >= ceilMs(end) {
			continue
		}
		all = append(all, d.Amount)
		if salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Created)).Start.Equal(salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Closed)).Start) {
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
