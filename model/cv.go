package model

import "math"

// cvScore accumulates rolling-origin errors: sum |A-F|, sum (A-F)², sum |A| and the count.
type cvScore struct {
	absErr, sqErr, absAct, n float64
}

// add records one out-of-sample prediction.
func (s *cvScore) add(actual, forecast float64) {
	e := math.Abs(actual - forecast)
	s.absErr, s.sqErr, s.absAct, s.n = s.absErr+e, s.sqErr+e*e, s.absAct+math.Abs(actual), s.n+1
}

// se returns the standard error of the WAPE from the spread of the absolute errors.
func (s cvScore) se() float64 {
	if s.n < 2 || s.absAct == 0 {
		return 0
	}
	mean := s.absErr / s.n
	return math.Sqrt(math.Max(s.sqErr/s.n-mean*mean, 0)/s.n) * s.n / s.absAct
}

// wape returns sum|A-F| / sum|A| (0 when there is nothing to compare).
func (s cvScore) wape() float64 {
	if s.absAct == 0 {
		return s.absErr
	}
	return s.absErr / s.absAct
}

// grid is a set of penalty pairs to score for one form.
type grid struct {
	taus, lambdas []float64
}

// visitFn receives one out-of-sample prediction for penalty pair (ti, li).
type visitFn func(ti, li int, actual, forecast float64)

// predictOrigin trains the form on periods before o and predicts period o for every active rep and penalty pair.
func (d *design) predictOrigin(f *form, o int, gr grid, visit visitFn) error {
	fs := d.fold(f, f.lags, o)
	xs := make([][]float64, d.R)
	for r := range d.R {
		if z := d.z[r*d.T+o]; z != nil {
			xs[r] = f.projectVec(z)
		}
	}
	g, h := fs.within()
	for li, lambda := range gr.lambdas {
		beta, err := fs.solve(g, h, lambda)
		if err != nil {
			return err
		}
		for r, x := range xs {
			if x == nil {
				continue
			}
			fc, resid := dot(x, beta), fs.residual(r, beta)
			for ti, tau := range gr.taus {
				visit(ti, li, d.y[r*d.T+o], fc+fs.shrink(r, resid, tau))
			}
		}
	}
	return nil
}

// crossValidate scores every penalty pair of the form over the rolling origins; scores are indexed ti*len(lambdas)+li.
func (d *design) crossValidate(f *form, origins []int, gr grid) ([]cvScore, error) {
	scores := make([]cvScore, len(gr.taus)*len(gr.lambdas))
	visit := func(ti, li int, a, fc float64) {
		scores[ti*len(gr.lambdas)+li].add(a, fc)
	}
	for _, o := range origins {
		if err := d.predictOrigin(f, o, gr, visit); err != nil {
			return nil, err
		}
	}
	return scores, nil
}

// cvPairs returns the out-of-sample actuals and forecasts of one candidate over the rolling origins.
func (d *design) cvPairs(c candidate, origins []int) (actual, forecast []float64, err error) {
	gr := grid{taus: []float64{c.tau}, lambdas: []float64{c.lambda}}
	visit := func(_, _ int, a, fc float64) {
		actual = append(actual, a)
		forecast = append(forecast, fc)
	}
	for _, o := range origins {
		if err := d.predictOrigin(c.f, o, gr, visit); err != nil {
			return nil, nil, err
		}
	}
	return actual, forecast, nil
}
