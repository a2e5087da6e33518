package synth

import (
	"cmp"
	"math"
	"slices"
)

const dealsHeader = "deal_id,rep_id,account_id,stage,status,amount,created_at,close_date,closed_at,updated_at"

type evKind uint8

const (
	evStage     evKind = iota // advance one stage
	evAmount                  // set the amount to val cents
	evCloseDate               // push the expected close date to day val
	evClose                   // close in stage val (won or lost)
)

// event is one change of a deal, which becomes a new version row.
type event struct {
	t    int64
	kind evKind
	val  int64
}

// dealSpec is what a deal's creator decides; its history is drawn from it.
type dealSpec struct {
	rep                               *rep
	account, created, closeAt, amount int64
	entry                             int
	source                            string // the activity kind that sourced it, or inboundSource
}

// inboundSource is the source of a deal no activity sourced (see Knobs.Sources).
const inboundSource = "inbound"

// dealState is the deal as of one version.
type dealState struct {
	stage                      int
	amount, closeDay, closedAt int64
}

// emitDeal draws the deal's path and history, writes its versions up to the end and returns its number.
func (g *generator) emitDeal(d dealSpec) int64 {
	id := g.nextDeal
	g.nextDeal++
	g.rows.Deals++
	final, won := g.path(d.entry, d.rep.skill)
	g.ev = g.ev[:0]
	for range final - d.entry {
		g.ev = append(g.ev, event{t: g.between(d), kind: evStage})
	}
	st := dealState{stage: d.entry, amount: d.amount, closeDay: dayStart(d.closeAt)}
	if g.rng.Float64() < g.firm.amountChange {
		st.amount = int64(math.Round(float64(d.amount) * uniform(g.rng, 0.6, 1.4)))
		g.ev = append(g.ev, event{t: g.between(d), kind: evAmount, val: d.amount})
	}
	switch {
	case g.cfg.CloseOptimismMaxDays > 0:
		st.closeDay = g.addPushes(d, g.statedClose, maxStatedPushes)
	case g.rng.Float64() < g.firm.slipShare:
		st.closeDay = g.addPushes(d, g.optimistic, maxPushes)
	}
	closedAt := g.orderEvents(d, won)
	g.writeVersions(id, d, st)
	d.rep.recent.add(dealRef{id: id, account: d.account, created: d.created, closeAt: closedAt})
	return id
}

// path walks the stages from entry: the final open stage reached and whether the deal is won. With stage-blind wins
// the outcome is drawn first, from the firm's one win chance, and the walk does not depend on it.
func (g *generator) path(entry int, skill float64) (final int, won bool) {
	if g.firm.blindWin > 0 {
		won = g.rng.Float64() < g.firm.winFrom(entry, skill)
		final = entry
		for final < stNegotiation && g.rng.Float64() < g.firm.conv[final] {
			final++
		}
		return final, won
	}
	s := entry
	for ; s < stNegotiation; s++ {
		if g.rng.Float64() >= g.firm.conv[s] {
			return s, false
		}
	}
	return s, g.rng.Float64() < min(1, g.firm.conv[stNegotiation]*skill)
}

// between draws a time strictly between the deal's creation and close.
func (g *generator) between(d dealSpec) int64 {
	return d.created + 1 + g.rng.Int64N(d.closeAt-d.created-1)
}

// addPushes plans a close date stated at creation and pushed out, by the same rule, a few days after each time it
// passes; the last of at most pushes moves it to the true close date. It returns the first date.
func (g *generator) addPushes(d dealSpec, stated func(from, to int64) int64, pushes int) int64 {
	first := stated(d.created, d.closeAt)
	cur := first
	for i := range pushes {
		t := cur + daySec*(1+g.rng.Int64N(5)) + workStartSec + g.rng.Int64N(workSec)
		if t >= d.closeAt {
			break
		}
		next := dayStart(d.closeAt)
		if i < pushes-1 {
			next = stated(t, d.closeAt)
		}
		g.ev = append(g.ev, event{t: t, kind: evCloseDate, val: next})
		cur = next
	}
	return first
}

// optimistic is a close date a rep would state at from: well before the true close at to.
func (g *generator) optimistic(from, to int64) int64 {
	return dayStart(from + int64(float64(to-from)*uniform(g.rng, 0.25, 0.8)))
}

// statedClose is the close date a rep states at from under Config.CloseOptimism*Days: that many days before the true
// close at to, or, when that day is not after from's, an optimistic date between the two.
func (g *generator) statedClose(from, to int64) int64 {
	lo, hi := g.cfg.CloseOptimismMinDays, g.cfg.CloseOptimismMaxDays
	day := dayStart(to) - int64(lo+g.rng.IntN(hi-lo+1))*daySec
	if day > dayStart(from) {
		return day
	}
	return g.optimistic(from, to)
}

// orderEvents sorts the changes, makes their times strictly increase and appends the close; it returns the close time.
func (g *generator) orderEvents(d dealSpec, won bool) int64 {
	ev := g.ev
	slices.SortStableFunc(ev, func(a, b event) int { return cmp.Compare(a.t, b.t) })
	prev := d.created
	for i := range ev {
		ev[i].t = max(ev[i].t, prev+1)
		prev = ev[i].t
	}
	closed, stage := max(d.closeAt, prev+1), int64(stLost)
	if won {
		stage = stWon
	}
	g.ev = append(ev, event{t: closed, kind: evClose, val: stage})
	return closed
}

// writeVersions writes the first version and one per change, stopping at the end ("now"); a snapshot writes only
// the last of them.
func (g *generator) writeVersions(id int64, d dealSpec, st dealState) {
	latest := g.cfg.Shape.latestOnly()
	updated := d.created
	if !latest {
		g.writeDeal(id, d, &st, updated)
	}
	for _, e := range g.ev {
		if e.t >= g.cal.end {
			break
		}
		st.apply(e)
		if updated = e.t; !latest {
			g.writeDeal(id, d, &st, updated)
		}
	}
	if latest {
		g.writeDeal(id, d, &st, updated)
	}
}

func (s *dealState) apply(e event) {
	switch e.kind {
	case evStage:
		s.stage++
	case evAmount:
		s.amount = e.val
	case evCloseDate:
		s.closeDay = e.val
	case evClose:
		s.stage, s.closedAt, s.closeDay = int(e.val), e.t, dayStart(e.t)
	}
}

func status(stage int) string {
	switch stage {
	case stWon:
		return "won"
	case stLost:
		return "lost"
	}
	return "open"
}

func (g *generator) writeDeal(id int64, d dealSpec, st *dealState, updated int64) {
	b := append(g.deals.buf, 'd')
	b = appendPadded(b, id, 7)
	b = append(b, ',')
	b = append(b, d.rep.id...)
	b = append(b, ',', 'c')
	b = appendPadded(b, d.account+1, 6)
	b = append(b, ',')
	b = append(b, g.stages[st.stage]...)
	b = append(b, ',')
	b = append(b, status(st.stage)...)
	b = append(b, ',')
	b = appendCents(b, st.amount)
	b = append(b, ',')
	b = g.dealTime.append(b, d.created)
	b = append(b, ',')
	b = appendDate(b, st.closeDay)
	b = append(b, ',')
	if st.closedAt != 0 {
		b = g.dealTime.append(b, st.closedAt)
	}
	b = append(b, ',')
	b = g.dealTime.append(b, updated)
	if g.cfg.Sources {
		b = append(b, ',')
		b = append(b, d.source...)
	}
	g.deals.buf = b
	g.deals.endRow()
	g.rows.DealVersions++
}
