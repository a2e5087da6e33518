package model

import (
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// repBlocks are each rep's within cross-products for the winning form, the units the bootstrap resamples.
type repBlocks struct {
	g, h [][]float64 // per rep with rows, weighted: w (X'X - s s'/n) (upper p*p) and w (X'y - s sy/n)
}

// blocks computes the per-rep within cross-products over the final fit's rows.
func (fit *fitted) blocks() repBlocks {
	d, f, p := fit.d, fit.c.f, fit.c.f.p()
	var rb repBlocks
	for r := range d.R {
		if fit.fs.s[r] == nil {
			continue
		}
		g, h := make([]float64, p*p), make([]float64, p)
		wr := d.weight(r)
		for t := f.lags; t < d.T; t++ {
			if z := d.z[r*d.T+t]; z != nil {
				x := f.projectVec(z)
				addOuter(g, x, wr)
				axpy(h, x, wr*d.y[r*d.T+t])
			}
		}
		w := wr / fit.fs.n[r]
		addOuter(g, fit.fs.s[r], -w)
		axpy(h, fit.fs.s[r], -w*fit.fs.sy[r])
		rb.g, rb.h = append(rb.g, g), append(rb.h, h)
	}
	return rb
}

// replicate refits on one resample of reps drawn with the given seed and returns b(k,l).
func (fit *fitted) replicate(rb repBlocks, seed uint64) ([][]float64, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	n, p := len(rb.g), fit.c.f.p()
	w := make([]float64, n)
	for range n {
		w[rng.IntN(n)]++
	}
	slopes, err := rb.solve(w, p, fit.c.lambda, fit.free)
	if err != nil {
		return nil, err
	}
	return fit.c.f.lagCoefficients(append([]float64{0}, slopes...), fit.d.K), nil
}

// solve refits the slopes with each rep's blocks counted mult times; free drops the sign constraint (and the penalty).
func (rb repBlocks) solve(mult []float64, p int, lambda float64, free bool) ([]float64, error) {
	g, h := make([]float64, p*p), make([]float64, p)
	for i := range rb.g {
		if mult[i] > 0 {
			axpy(g, rb.g[i], mult[i])
			axpy(h, rb.h[i], mult[i])
		}
	}
	gs, hs := slopeBlock(g, h, p)
	if free {
		return solveSym(mat.NewSymDense(p-1, gs), hs), nil
	}
	return solvePenalized(gs, hs, lambda)
}

// bootstrap resamples whole reps to put percentile intervals on each value and lag share. Lag shares come from
// the chosen fit's replicates. Values come from the replicates of the unrestricted reference fit (see reference),
// widened to hold the reported value: the chosen fit's own replicates reproduce its choices (kinds dropped, lags
// cut, coefficients held at zero) and so measure its spread but not its bias, and a kind fitted at zero would get
// $0-$0 whatever the data says about how large it could be.
func (d *design) bootstrap(fit *fitted, depth int, o *Options, rec *Recipe) error {
	seeds := make([]uint64, o.Bootstrap)
	for i := range seeds {
		seeds[i] = o.Rand.Uint64()
	}
	reps, err := fit.replicates(seeds, o.Workers)
	if err != nil {
		return err
	}
	refReps, err := d.reference(min(d.W, depth+1)).replicates(seeds, o.Workers)
	if err != nil {
		return err
	}
	for k := range rec.Kinds {
		setIntervals(&rec.Kinds[k], reps, k, o.Level)
		setValueInterval(&rec.Kinds[k], refReps, k, o.Level)
	}
	return nil
}

// reference returns the unrestricted fit the value intervals and the kinds' significance come from: free lags
// 0..depth of every kind (one beyond the deepest the lag selection found worth it, so a late lag it cut at the margin
// still counts), each rep's intercept absorbed, the design's weights, no sign constraint and no penalty. Its value,
// the sum of a kind's lag coefficients, is unbiased where the chosen fit's is not (no kind dropped, no coefficient
// held at zero), so its replicates cover the true value about as often as their level says.
func (d *design) reference(depth int) *fitted {
	f := freeLagsDepths(slices.Repeat([]int{depth}, d.K), d.W)
	fit := &fitted{c: candidate{f: f}, d: d, fs: d.fold(f, f.lags, d.T), beta: make([]float64, f.p()), free: true}
	fit.rb = fit.blocks()
	return fit
}

// replicates refits on one resample of reps per seed, spread over workers.
func (fit *fitted) replicates(seeds []uint64, workers int) ([][][]float64, error) {
	reps := make([][][]float64, len(seeds))
	err := eachIndex(len(seeds), workers, func(i int) (err error) {
		reps[i], err = fit.replicate(fit.rb, seeds[i])
		return err
	})
	return reps, err
}

// setValueInterval sets a kind's value interval to the percentiles of the reference replicates' values, clipped at
// zero (an activity does not cost revenue) and widened to hold the reported value.
func setValueInterval(ke *KindEffect, refReps [][][]float64, k int, level float64) {
	values := make([]float64, 0, len(refReps))
	for _, b := range refReps {
		v, _ := valueShares(b[k])
		values = append(values, v)
	}
	sv := sortedCopy(values)
	lo, hi := max(QuantileSorted(sv, (1-level)/2), 0), max(QuantileSorted(sv, (1+level)/2), 0)
	ke.CILow, ke.CIHigh = min(lo, ke.Value), max(hi, ke.Value)
}

// setIntervals fills a kind's percentile intervals from the replicates' lag coefficients.
func setIntervals(ke *KindEffect, reps [][][]float64, k int, level float64) {
	lo, hi := (1-level)/2, (1+level)/2
	values := make([]float64, 0, len(reps))
	shares := make([][]float64, len(ke.Lags))
	for _, b := range reps {
		v, s := valueShares(b[k])
		values = append(values, v)
		if v > 0 {
			for l := range shares {
				shares[l] = append(shares[l], s[l])
			}
		}
	}
	sv := sortedCopy(values)
	ke.CILow, ke.CIHigh = QuantileSorted(sv, lo), QuantileSorted(sv, hi)
	for l := range ke.Lags {
		if len(shares[l]) > 0 {
			ss := sortedCopy(shares[l])
			ke.Lags[l].CILow, ke.Lags[l].CIHigh = QuantileSorted(ss, lo), QuantileSorted(ss, hi)
		}
	}
}
