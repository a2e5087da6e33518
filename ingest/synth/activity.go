package synth

import (
	"math"
	"math/rand/v2"
)

const (
	activitiesHeader = "activity_id,rep_id,kind,occurred_at,account_id,deal_id"
	touchProb        = 0.3        // chance a non-sourcing activity touches a recent open deal
	minDealSec       = 600        // a sourced deal closes at least ten minutes after its creation
	inboundMinAge    = 5 * daySec // an inbound deal is created 5 to 60 days before it closes
	inboundSpread    = 55 * daySec
)

// repMonth streams one rep's inbound deals closing in month m and activities of month m.
func (g *generator) repMonth(r *rep, m int) {
	if !r.employed(m) {
		return
	}
	for range poisson(g.rng, r.baseRate) {
		g.inboundDeal(r, m)
	}
	g.activities(r, m)
}

// activities draws the month's activities as a Poisson process over working time, already in time order.
func (g *generator) activities(r *rep, m int) {
	mo := &g.cal.months[m]
	rate := r.rate * r.intensity(m) * g.firm.season[mo.cal] * kindWeights(&g.firm, r, m, g.weights) / workSec
	if !(rate > 0) {
		return
	}
	cumulativeInto(g.cum, g.weights)
	limit, cum := float64(mo.avail), g.cum
	for t := g.rng.ExpFloat64() / rate; t < limit; t += g.rng.ExpFloat64() / rate {
		g.activity(r, m, int64(t), pick(cum, g.rng.Float64()))
	}
}

// activity writes one activity, which may source a new deal or touch a recent open one.
func (g *generator) activity(r *rep, m int, u int64, k int) {
	at := g.cal.months[m].at(u)
	km := &g.firm.kinds[k]
	account, deal := r.accounts+g.rng.Int64N(accountsPerRep), int64(0)
	if km.p > 0 && g.rng.Float64() < km.p {
		deal = g.sourceDeal(r, m, u, at, account, km)
	} else if g.rng.Float64() < touchProb {
		if d, ok := r.recent.touch(g.rng, at); ok {
			deal, account = d.id, d.account
		}
	}
	g.writeActivity(r, km.name, at, account, deal)
}

// sourceDeal creates the deal an activity sources; it closes in month m+lag, lag drawn from the kind's profile.
func (g *generator) sourceDeal(r *rep, m int, u, at, account int64, km *kindModel) int64 {
	cm := m + pick(km.lagCum, g.rng.Float64())
	cmo := &g.cal.months[cm]
	var cu int64
	if cm == m {
		cu = u + g.rng.Int64N(cmo.full-u)
	} else {
		cu = g.rng.Int64N(cmo.full)
	}
	return g.emitDeal(dealSpec{rep: r, account: account, created: at,
		closeAt: max(cmo.at(cu), at+minDealSec), amount: g.drawAmount(km.mu), entry: km.entry, source: km.name})
}

// inboundDeal creates a deal no activity sources, closing at a uniform working time of month m.
func (g *generator) inboundDeal(r *rep, m int) {
	mo := &g.cal.months[m]
	closeAt := mo.at(g.rng.Int64N(mo.full))
	created := closeAt - inboundMinAge - g.rng.Int64N(inboundSpread)
	account := r.accounts + g.rng.Int64N(accountsPerRep)
	amount := g.drawAmount(math.Log(g.firm.baseAmount) - g.firm.amountSigma*g.firm.amountSigma/2)
	if created < g.cal.end {
		g.emitDeal(dealSpec{rep: r, account: account, created: created, closeAt: closeAt, amount: amount, entry: baselineEntry, source: inboundSource})
	}
}

// futureInbound creates the inbound deals of reps still employed that close after the end but already exist.
func (g *generator) futureInbound() {
	for m := g.cal.hist; m < g.cal.hist+2; m++ {
		for i := range g.reps {
			if g.reps[i].leave == g.cal.hist {
				for range poisson(g.rng, g.reps[i].baseRate) {
					g.inboundDeal(&g.reps[i], m)
				}
			}
		}
	}
}

func (g *generator) drawAmount(mu float64) int64 {
	return int64(math.Round(math.Exp(mu+g.firm.amountSigma*g.rng.NormFloat64()) * 100))
}

func (g *generator) writeActivity(r *rep, kind string, at, account, deal int64) {
	if !g.cfg.Shape.writesActivities() {
		return
	}
	b := append(g.acts.buf, g.actID.next()...)
	b = append(b, ',')
	b = append(b, r.id...)
	b = append(b, ',')
	b = append(b, kind...)
	b = append(b, ',')
	b = g.actTime.append(b, at)
	b = append(b, ',', 'c')
	b = appendPadded(b, account+1, 6)
	b = append(b, ',')
	if deal > 0 {
		b = append(b, 'd')
		b = appendPadded(b, deal, 7)
	}
	g.acts.buf = b
	g.acts.endRow()
	g.rows.Activities++
}

// poisson draws a Poisson count by Knuth's method, fine for the small means used here.
func poisson(rng *rand.Rand, mean float64) int {
	limit, p, n := math.Exp(-mean), rng.Float64(), 0
	for p > limit {
		p *= rng.Float64()
		n++
	}
	return n
}
