package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// repEfficiency describes one rep in the final fit: how much more revenue per unit of fitted activity the rep
// brings than the pooled slopes say, and the weights with which that rep enters the per-kind averages.
type repEfficiency struct {
	g     float64   // shrunk efficiency relative to the precision-weighted average rep (1)
	count []float64 // activities of each kind over the rep's fit rows (the firm-average weights)
}

// repMoments are the raw within-rep sums behind one rep's efficiency.
type repMoments struct {
	rows       int
	ya, aa, ee float64 // sum y~a~, sum a~², sum (y~ - a~)² with a the fitted activity revenue
	count      []float64
}

// efficiencies estimates each rep's efficiency in the final fit, shrunk toward the pooled average by an
// empirical-Bayes (DerSimonian–Laird) estimate of the between-rep variance; nil entries are reps without rows.
func (fit *fitted) efficiencies() []*repEfficiency {
	mom := make([]*repMoments, fit.d.R)
	for r := range fit.d.R {
		mom[r] = fit.repMoments(r)
	}
	gs, ws := make([]float64, fit.d.R), make([]float64, fit.d.R)
	for r, m := range mom {
		if m != nil && m.aa > 0 && m.rows > 2 {
			gs[r] = m.ya / m.aa
			ws[r] = m.aa / math.Max(m.ee/float64(m.rows-2), 1e-12*m.aa)
		}
	}
	center, tau2 := randomEffects(gs, ws)
	out := make([]*repEfficiency, fit.d.R)
	for r, m := range mom {
		if m == nil {
			continue
		}
		g := center
		if ws[r] > 0 {
			g += (gs[r] - center) * tau2 * ws[r] / (1 + tau2*ws[r])
		}
		out[r] = &repEfficiency{g: math.Max(g, 0) / center, count: m.count}
	}
	return out
}

// repMoments returns rep r's within sums over the rows of the final fit, nil when it has none.
func (fit *fitted) repMoments(r int) *repMoments {
	d, f := fit.d, fit.c.f
	var as, ys []float64
	count := make([]float64, d.K)
	for t := f.lags; t < d.T; t++ {
		if z := d.z[r*d.T+t]; z != nil {
			as, ys = append(as, dot(f.projectVec(z)[1:], fit.beta[1:])), append(ys, d.y[r*d.T+t])
			for k := range count {
				count[k] += z[1+k*(d.W+1)]
			}
		}
	}
	if len(as) == 0 {
		return nil
	}
	m := &repMoments{rows: len(as), count: count}
	m.accumulate(as, ys)
	return m
}

// accumulate adds the within sums of fitted activity revenue as and revenue ys.
func (m *repMoments) accumulate(as, ys []float64) {
	n := float64(len(as))
	abar, ybar := 0.0, 0.0
	for i, a := range as {
		abar, ybar = abar+a/n, ybar+ys[i]/n
	}
	for i, a := range as {
		a, y := a-abar, ys[i]-ybar
		m.ya, m.aa, m.ee = m.ya+y*a, m.aa+a*a, m.ee+(y-a)*(y-a)
	}
}

// randomEffects returns the precision-weighted mean of the estimates gs (weights ws, zero skips) and the
// DerSimonian–Laird moment estimate of their true spread; with fewer than two estimates the spread is 0.
func randomEffects(gs, ws []float64) (center, tau2 float64) {
	var sw, sw2, swg float64
	n := 0
	for i, w := range ws {
		if w > 0 {
			sw, sw2, swg, n = sw+w, sw2+w*w, swg+w*gs[i], n+1
		}
	}
	if n == 0 {
		return 1, 0
	}
	center = swg / sw
	if n < 2 {
		return center, 0
	}
	q := 0.0
	for i, w := range ws {
		if w > 0 {
			q += w * (gs[i] - center) * (gs[i] - center)
		}
	}
	return center, math.Max(0, (q-float64(n-1))/(sw-sw2/sw))
}

// efficiencyRounds bounds the alternating estimation of rep efficiencies and pooled slopes.
const efficiencyRounds = 4

// applyEfficiency fits revenue = rep intercept + g(rep) * sum b(k,l) x(k, t-l): each rep's efficiency g, shrunk
// toward 1, scales the value of all its activities. It alternates between the efficiencies and the slopes refit
// with them, then reports each kind's value as the activity-weighted average over reps of g * b, the firm average
// over activities; the firm intercept is refit so the rep deviations stay consistent with the reported values.
func (fit *fitted) applyEfficiency() error {
	fit.rb = fit.blocks()
	if noEff {
		fit.eff = make([]*repEfficiency, fit.d.R)
		for r := range fit.d.R {
			if m := fit.repMoments(r); m != nil {
				fit.eff[r] = &repEfficiency{g: 1, count: m.count}
			}
		}
		return nil
	}
	for range efficiencyRounds {
		fit.eff = fit.efficiencies()
		slopes, err := fit.rb.solve(fit.eff, nil, fit.c.f.p(), fit.c.lambda, false)
		if err != nil {
			return err
		}
		copy(fit.beta[1:], slopes)
	}
	fit.eff = fit.efficiencies()
	for c, corr := 1, kindCorrections(fit.eff, fit.d.K, nil); c < len(fit.beta); c++ {
		fit.beta[c] *= corr[fit.c.f.kindOf(c)]
	}
	fit.beta[0] = fit.fs.intercept(fit.beta[1:])
	return nil
}

// solve refits the slopes with each rep's rows scaled by its efficiency and its blocks weighted by mult (nil means 1);
// free drops the sign constraint (and the penalty).
func (rb repBlocks) solve(effs []*repEfficiency, mult []float64, p int, lambda float64, free bool) ([]float64, error) {
	g, h := make([]float64, p*p), make([]float64, p)
	for i, r := range rb.reps {
		w := 1.0
		if mult != nil {
			w = mult[i]
		}
		if e := effs[r]; e != nil && w > 0 {
			axpy(g, rb.g[i], w*e.g*e.g)
			axpy(h, rb.h[i], w*e.g)
		}
	}
	gs, hs := slopeBlock(g, h, p)
	if free {
		return solveSym(mat.NewSymDense(p-1, gs), hs), nil
	}
	return solvePenalized(gs, hs, lambda)
}

// kindCorrections returns, per kind, the activity-weighted mean efficiency over reps: the factor that turns the
// slopes of an average-efficiency rep into the firm average over activities. mult weights each rep (nil means 1).
func kindCorrections(effs []*repEfficiency, k int, mult []float64) []float64 {
	out := make([]float64, k)
	for kind := range out {
		var cn, cg float64
		for r, e := range effs {
			if e == nil {
				continue
			}
			w := 1.0
			if mult != nil {
				w = mult[r]
			}
			cn, cg = cn+w*e.count[kind], cg+w*e.count[kind]*e.g
		}
		out[kind] = 1
		if cn > 0 {
			out[kind] = cg / cn
		}
	}
	return out
}

var noEff = true
