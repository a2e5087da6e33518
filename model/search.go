package model

import (
	"slices"
)

// candidate is one scored form with its penalties.
type candidate struct {
	f           *form
	tau, lambda float64
	score       cvScore
	depth       int // deepest free-lag depth the lag selection gave any kind (set on the search's winner)
}

// candidateForms lists free lags of the given per-kind depths, then delayed adstock with each common decay and shape.
func candidateForms(k, w int, depths []int, decays []float64) []*form {
	forms := []*form{freeLagsDepths(depths, w)}
	if w == 0 {
		return forms
	}
	for _, s := range shapes {
		for _, th := range decays {
			forms = append(forms, adstock(slices.Repeat([]float64{th}, k), slices.Repeat([]int{s}, k), w))
		}
	}
	return forms
}

// bestPair returns the form's candidate with the lowest CV WAPE over the penalty grid.
func (d *design) bestPair(f *form, origins []int, gr grid) (candidate, error) {
	scores, err := d.crossValidate(f, origins, gr)
	if err != nil {
		return candidate{}, err
	}
	bt, bl := 0, 0
	for ti := range gr.taus {
		for li := range gr.lambdas {
			if scores[ti*len(gr.lambdas)+li].wape() < scores[bt*len(gr.lambdas)+bl].wape() {
				bt, bl = ti, li
			}
		}
	}
	bl = leastPenalty(scores[bt*len(gr.lambdas):(bt+1)*len(gr.lambdas)], gr.lambdas, bl)
	return candidate{f: f, tau: gr.taus[bt], lambda: gr.lambdas[bl], score: scores[bt*len(gr.lambdas)+bl]}, nil
}

// leastPenalty returns the smallest ridge penalty whose WAPE is within one standard error of the best's:
// ridge trades bias in the values for accuracy, so it is used only when it clearly predicts better.
func leastPenalty(scores []cvScore, lambdas []float64, best int) int {
	limit := scores[best].wape() + scores[best].se()
	pick := best
	for li, s := range scores {
		if s.wape() <= limit && lambdas[li] < lambdas[pick] {
			pick = li
		}
	}
	return pick
}

// scoreForms finds each form's best candidate, spreading forms over workers.
func (d *design) scoreForms(forms []*form, origins []int, gr grid, workers int) ([]candidate, error) {
	out := make([]candidate, len(forms))
	err := eachIndex(len(forms), workers, func(i int) (err error) {
		out[i], err = d.bestPair(forms[i], origins, gr)
		return err
	})
	return out, err
}

// searchResult is the chosen candidate, its out-of-sample actuals and forecasts over the origins, and the deepest
// free-lag depth the lag selection gave any kind.
type searchResult struct {
	best             candidate
	actual, forecast []float64
	depth            int
}

// search picks the form and penalties (see bestForm), then gives no effect to the kinds whose
// value the unrestricted reference fit does not put clearly above zero.
func (d *design) search(o *Options, origins []int) (searchResult, error) {
	full, err := d.bestForm(o, origins)
	if err != nil {
		return searchResult{}, err
	}
	c := full
	zs, reps := d.kindZ(min(d.W, full.depth+1))
	for k, z := range zs {
		if z < keepT(reps) {
			c.f = c.f.withoutKind(k)
		}
	}
	actual, forecast, err := d.cvPairs(c, origins)
	if err != nil {
		return searchResult{}, err
	}
	c.score = scoreOf(actual, forecast)
	return searchResult{best: c, actual: actual, forecast: forecast, depth: full.depth}, nil
}

// bestForm returns the chosen form and its penalties, every kind in: the free lags at the depths leave-reps-out CV
// chose, unless the best delayed carry-over beats them in rolling-origin WAPE by more than one standard error (a
// carry-over spans every lag of the window and bends a late peak into its smooth shape, so it must clearly predict
// better to be taken).
func (d *design) bestForm(o *Options, origins []int) (candidate, error) {
	gr := grid{taus: o.RepShrinks, lambdas: o.Lambdas}
	ls, err := d.newLagSelector()
	if err != nil {
		return candidate{}, err
	}
	depths, err := ls.depths(o.Workers)
	if err != nil {
		return candidate{}, err
	}
	scored, err := d.scoreForms(candidateForms(d.K, d.W, depths, o.Decays), origins, gr, o.Workers)
	if err != nil {
		return candidate{}, err
	}
	best, ad := scored[0], -1 // the free lags come first
	for i, c := range scored {
		if c.f.method == MethodAdstock && (ad < 0 || c.score.wape() < scored[ad].score.wape()) {
			ad = i
		}
	}
	if ad >= 0 {
		carry, err := d.refinedCarry(scored[ad], o, origins)
		if err != nil {
			return candidate{}, err
		}
		if carry.score.wape()+carry.score.se() < best.score.wape() {
			best = carry
		}
	}
	best.depth = slices.Max(depths)
	return best, nil
}

// refinedCarry returns the carry-over candidate after one sweep over each kind's decay and shape (with more than one
// kind).
func (d *design) refinedCarry(c candidate, o *Options, origins []int) (candidate, error) {
	if d.K < 2 {
		return c, nil
	}
	return d.refineDecays(c, o.Decays, origins)
}

// scoreOf scores a set of out-of-sample predictions.
func scoreOf(actual, forecast []float64) cvScore {
	var s cvScore
	for i, a := range actual {
		s.add(a, forecast[i])
	}
	return s
}

// refineDecays runs one coordinate sweep over each kind's adstock decay and shape at fixed penalties: each kind tries
// the other decays at its shape, then the other shapes at its decay.
func (d *design) refineDecays(c candidate, decays []float64, origins []int) (candidate, error) {
	gr := grid{taus: []float64{c.tau}, lambdas: []float64{c.lambda}}
	for k := range d.K {
		var trials [][2]float64
		for _, th := range decays {
			trials = append(trials, [2]float64{th, float64(c.f.shape[k])})
		}
		for _, s := range shapes {
			trials = append(trials, [2]float64{c.f.decay[k], float64(s)})
		}
		for _, tr := range trials {
			if tr[0] == c.f.decay[k] && int(tr[1]) == c.f.shape[k] {
				continue
			}
			dec, shp := slices.Clone(c.f.decay), slices.Clone(c.f.shape)
			dec[k], shp[k] = tr[0], int(tr[1])
			f := adstock(dec, shp, d.W)
			scores, err := d.crossValidate(f, origins, gr)
			if err != nil {
				return candidate{}, err
			}
			if scores[0].wape() < c.score.wape() {
				c = candidate{f: f, tau: c.tau, lambda: c.lambda, score: scores[0]}
			}
		}
	}
	return c, nil
}
