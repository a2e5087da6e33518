package model

import (
	"fmt"
	"github.com/salesrecipe/salesrecipe"
	"math"
	"sort"
)

// Fit estimates the firm's recipe from a panel, choosing form and penalties by rolling-origin cross-validation.
func Fit(p *Panel, opts Options) (*Recipe, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if err := validateGrain(p.Grain); err != nil {
		return nil, err
	}
	if err := p.checkThin(); err != nil {
		return nil, err
	}
	o, err := opts.withDefaults(p.Periods)
	if err != nil {
		return nil, err
	}
	d := newDesign(p, o.window(p.Periods))
	origins := o.origins(p.Periods)
	sr, err := d.search(&o, origins)
	if err != nil {
		return nil, fmt.Errorf("model: choosing the form: %w", err)
	}
	fit, err := d.finalFit(sr.best)
	if err != nil {
		return nil, err
	}
	rec := fit.recipe(p, o.Level)
	if !rec.Measurable() || sr.wonOutOfSample() == 0 {
		return nil, noEffect(grainOrMonth(p.Grain), sr, len(origins))
	}
	rec.Residuals = newResiduals(sr.actual, sr.forecast)
	if o.Bootstrap > 0 {
		if err := d.bootstrap(fit, sr.depth, &o, rec); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// Measurable reports whether some kind has a value above zero: without one there is no recipe to act on.
func (r *Recipe) Measurable() bool {
	for _, k := range r.Kinds {
		if k.Value > 0 {
			return true
		}
	}
	return false
}

// wonOutOfSample returns the absolute revenue of the periods predicted out of sample: with none, the
// cross-validation that decides which kinds have an effect has nothing to judge by.
func (sr searchResult) wonOutOfSample() float64 {
	won := 0.0
	for _, a := range sr.actual {
		won += math.Abs(a)
	}
	return won
}

// noEffect explains a fit in which no kind has a value: nothing was won over the periods predicted out of
// sample, or no kind's value lies clearly above zero.
func noEffect(g salesrecipe.Grain, sr searchResult, periods int) *ThinDataError {
	e := &ThinDataError{What: NoEffectWhat, Need: 1}
	if sr.wonOutOfSample() == 0 {
		e.Reason = fmt.Sprintf("the last %d %ss before the as-of moment have no won revenue (has the data ended before it?)",
			periods, g)
		return e
	}
	e.Reason = fmt.Sprintf("no activity kind's value lies clearly above zero (a one-sided %.0f%% test over the reps' "+
		"own histories; rolling-origin WAPE %.0f%% without activity)", 100*(1-keepLevel), 100*sr.best.score.wape())
	return e
}

// fitted is the winning candidate refit on all periods.
type fitted struct {
	c    candidate
	d    *design
	fs   *foldStats
	beta []float64
	rb   repBlocks // per-rep within cross-products of the final form
	r2   float64
	free bool // slopes unconstrained in sign (the reference fit of the value intervals)
}

// finalFit refits the candidate on every period its depth allows.
func (d *design) finalFit(c candidate) (*fitted, error) {
	fs := d.fold(c.f, c.f.lags, d.T)
	g, h := fs.within()
	beta, err := fs.solve(g, h, c.lambda)
	if err != nil {
		return nil, err
	}
	fit := &fitted{c: c, d: d, fs: fs, beta: beta}
	fit.rb = fit.blocks()
	fit.r2 = fit.rSquared()
	return fit, nil
}

// rSquared returns the in-sample R² including rep intercepts.
func (fit *fitted) rSquared() float64 {
	d, f := fit.d, fit.c.f
	var n, sy, syy, sse float64
	for r := range d.R {
		u := fit.fs.repEffect(r, fit.beta, fit.c.tau)
		for t := f.lags; t < d.T; t++ {
			if z := d.z[r*d.T+t]; z != nil {
				y := d.y[r*d.T+t]
				e := y - dot(f.projectVec(z), fit.beta) - u
				n, sy, syy, sse = n+1, sy+y, syy+y*y, sse+e*e
			}
		}
	}
	sst := syy - sy*sy/n
	if sst <= 0 {
		return 0
	}
	return 1 - sse/sst
}

// recipe assembles the output without intervals.
func (fit *fitted) recipe(p *Panel, level float64) *Recipe {
	c := fit.c
	rec := &Recipe{Grain: grainOrMonth(p.Grain), Method: c.f.method, Lags: c.f.lags, Lambda: c.lambda,
		RepShrink: c.tau, Baseline: fit.beta[0], R2: fit.r2, CVWAPE: c.score.wape(), Level: level}
	b := c.f.lagCoefficients(fit.beta, len(p.Kinds))
	for k, kind := range p.Kinds {
		rec.Kinds = append(rec.Kinds, kindEffect(kind, b[k], c.f.decayOf(k)))
	}
	for r, name := range fit.d.reps {
		n := int(fit.fs.n[r])
		rec.Observations += n
		rec.Reps = append(rec.Reps, RepEffect{Rep: name, Effect: fit.fs.repEffect(r, fit.beta, c.tau), Observations: n})
	}
	return rec
}

// kindEffect turns one kind's lag coefficients into its value and shares (point estimates only).
func kindEffect(kind string, b []float64, decay float64) KindEffect {
	v, shares := valueShares(b)
	ke := KindEffect{Kind: kind, Value: v, CILow: v, CIHigh: v, Decay: decay}
	for l, s := range shares {
		ke.Lags = append(ke.Lags, LagShare{Lag: l, Share: s, CILow: s, CIHigh: s})
	}
	return ke
}

// valueShares returns V = sum b and shares b/V (all zero when V is 0).
func valueShares(b []float64) (float64, []float64) {
	v := 0.0
	for _, x := range b {
		v += x
	}
	shares := make([]float64, len(b))
	if v > 0 {
		for l, x := range b {
			shares[l] = x / v
		}
	}
	return v, shares
}

// decayOf returns kind k's adstock decay, 0 for free lags.
func (f *form) decayOf(k int) float64 {
	if f.method != MethodAdstock {
		return 0
	}
	return f.decay[k]
}

// newResiduals summarizes out-of-sample errors scaled by sqrt(max(F, 0) + floor).
func newResiduals(actual, forecast []float64) Residuals {
	floor := 0.0
	for _, a := range actual {
		floor += math.Abs(a)
	}
	if len(actual) > 0 {
		floor /= float64(len(actual))
	}
	if floor == 0 {
		floor = 1
	}
	scaled := make([]float64, len(actual))
	for i, a := range actual {
		scaled[i] = (a - forecast[i]) / residualScale(forecast[i], floor)
	}
	sort.Float64s(scaled)
	return Residuals{Floor: floor, N: len(scaled), Quantiles: Percentiles(scaled)}
}

// residualScale is the size measure that residuals are divided by.
func residualScale(forecast, floor float64) float64 {
	return math.Sqrt(math.Max(forecast, 0) + floor)
}
