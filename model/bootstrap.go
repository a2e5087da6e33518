package model

import (
	"errors"
	"math/rand/v2"
	"sync"
)

// repBlocks are each rep's within cross-products for the winning form, the units the bootstrap resamples.
type repBlocks struct {
	g, h [][]float64 // per rep with rows: X'X - s s'/n (upper p*p) and X'y - s sy/n
	reps []int       // canonical rep index of each block
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
		for t := f.lags; t < d.T; t++ {
			if z := d.z[r*d.T+t]; z != nil {
				x := f.projectVec(z)
				addOuter(g, x, 1)
				axpy(h, x, d.y[r*d.T+t])
			}
		}
		w := 1 / fit.fs.n[r]
		addOuter(g, fit.fs.s[r], -w)
		axpy(h, fit.fs.s[r], -w*fit.fs.sy[r])
		rb.g, rb.h, rb.reps = append(rb.g, g), append(rb.h, h), append(rb.reps, r)
	}
	return rb
}

// replicate refits on one resample of reps drawn with the given seed and returns b(k,l), corrected to firm averages
// over the resampled reps' activities with the full fit's rep efficiencies.
func (fit *fitted) replicate(rb repBlocks, seed uint64) ([][]float64, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	n, p := len(rb.g), fit.c.f.p()
	w := make([]float64, n)
	for range n {
		w[rng.IntN(n)]++
	}
	slopes, err := rb.solve(fit.eff, w, p, fit.c.lambda)
	if err != nil {
		return nil, err
	}
	b := fit.c.f.lagCoefficients(append([]float64{0}, slopes...), fit.d.K)
	mult := make([]float64, fit.d.R)
	for i, wi := range w {
		mult[rb.reps[i]] = wi
	}
	for k, c := range kindCorrections(fit.eff, fit.d.K, mult) {
		for l := range b[k] {
			b[k][l] *= c
		}
	}
	return b, nil
}

// bootstrap resamples whole reps to put percentile intervals on each value and lag share. A kind the final fit
// gives no value gets the interval $0 to the upper percentile of its value in the form with every kind in (full),
// resampled alike: how large its value could be, not $0-$0 unless the data pins it there.
func (d *design) bootstrap(fit *fitted, full candidate, o *Options, rec *Recipe) error {
	seeds := make([]uint64, o.Bootstrap)
	for i := range seeds {
		seeds[i] = o.Rand.Uint64()
	}
	reps, err := fit.replicates(seeds, o.Workers)
	if err != nil {
		return err
	}
	var fullReps [][][]float64
	for k := range rec.Kinds {
		if rec.Kinds[k].Value > 0 {
			setIntervals(&rec.Kinds[k], reps, k, o.Level)
			continue
		}
		if fullReps == nil {
			if fullReps, err = d.fullReplicates(full, seeds, o.Workers); err != nil {
				return err
			}
		}
		setZeroInterval(&rec.Kinds[k], fullReps, k, o.Level)
	}
	return nil
}

// fullReplicates refits the form with every kind in and returns its bootstrap replicates for the given seeds.
func (d *design) fullReplicates(full candidate, seeds []uint64, workers int) ([][][]float64, error) {
	fit, err := d.finalFit(full)
	if err != nil {
		return nil, err
	}
	return fit.replicates(seeds, workers)
}

// replicates refits on one resample of reps per seed, spread over workers.
func (fit *fitted) replicates(seeds []uint64, workers int) ([][][]float64, error) {
	reps := make([][][]float64, len(seeds))
	errs := make([]error, len(seeds))
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < len(seeds); i += workers {
				reps[i], errs[i] = fit.replicate(fit.rb, seeds[i])
			}
		}()
	}
	wg.Wait()
	return reps, errors.Join(errs...)
}

// setZeroInterval gives a kind fitted at zero the interval from $0 to the upper percentile of its replicated values.
func setZeroInterval(ke *KindEffect, reps [][][]float64, k int, level float64) {
	values := make([]float64, 0, len(reps))
	for _, b := range reps {
		v, _ := valueShares(b[k])
		values = append(values, v)
	}
	ke.CILow, ke.CIHigh = 0, QuantileSorted(sortedCopy(values), (1+level)/2)
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
