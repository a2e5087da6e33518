package model

import (
	"math"
	"slices"
)

// maxDepthSweeps bounds the coordinate descent over per-kind lag depths.
const maxDepthSweeps = 4

// lagSelector scores per-kind free-lag depths by the AIC of the within-rep NNLS fit on the rows every depth can
// use (periods W..T-1). Revenue noise grows with a rep's volume, which would make an unweighted AIC keep spurious
// lags, so each rep's rows are weighted by the inverse of its residual variance under the full-window fit (feasible
// GLS); the normal equations over all W+1 lags of every kind are accumulated once.
type lagSelector struct {
	k, w int
	g, h []float64 // weighted within normal equations of all slope features (K*(W+1) square, and vector)
	yy   float64   // weighted within sum of squares of revenue
	n    float64   // rows
}

// repWithin are one rep's within cross-products of the slope features over periods W..T-1.
type repWithin struct {
	g, h  []float64
	yy, n float64
}

// varianceShrink is the pseudo-count of rows pulling each rep's residual variance toward the pooled one.
const varianceShrink = 4

// newLagSelector accumulates the weighted full-lag within normal equations over periods W..T-1.
func (d *design) newLagSelector() (*lagSelector, error) {
	q := d.P - 1
	ls := &lagSelector{k: d.K, w: d.W, g: make([]float64, q*q), h: make([]float64, q)}
	var reps []repWithin
	var g, h []float64 = make([]float64, q*q), make([]float64, q)
	for r := range d.R {
		if rw, ok := d.repWithin(r); ok {
			reps = append(reps, rw)
			axpy(g, rw.g, 1)
			axpy(h, rw.h, 1)
		}
	}
	if len(reps) == 0 {
		return ls, nil
	}
	beta, err := solvePenalized(g, h, 0)
	if err != nil {
		return nil, err
	}
	sse, rows := make([]float64, len(reps)), 0.0
	pooled := 0.0
	for i, rw := range reps {
		sse[i] = math.Max(quadSSE(rw.g, rw.h, rw.yy, beta), 0)
		pooled, rows = pooled+sse[i], rows+rw.n
	}
	pooled /= math.Max(rows-float64(len(reps)), 1)
	for i, rw := range reps {
		v := (sse[i] + varianceShrink*pooled) / (rw.n - 1 + varianceShrink)
		w := 1 / math.Max(v, 1e-12*math.Max(pooled, 1e-300))
		axpy(ls.g, rw.g, w)
		axpy(ls.h, rw.h, w)
		ls.yy, ls.n = ls.yy+w*rw.yy, ls.n+rw.n
	}
	return ls, nil
}

// repWithin returns rep r's within cross-products over periods W..T-1, false when it has no rows there.
func (d *design) repWithin(r int) (repWithin, bool) {
	q := d.P - 1
	var rows [][]float64
	var ys []float64
	for t := d.W; t < d.T; t++ {
		if z := d.z[r*d.T+t]; z != nil {
			rows, ys = append(rows, z[1:]), append(ys, d.y[r*d.T+t])
		}
	}
	if len(rows) == 0 {
		return repWithin{}, false
	}
	n := float64(len(rows))
	mean, ybar := make([]float64, q), 0.0
	for i, z := range rows {
		axpy(mean, z, 1/n)
		ybar += ys[i] / n
	}
	rw := repWithin{g: make([]float64, q*q), h: make([]float64, q), n: n}
	x := make([]float64, q)
	for i, z := range rows {
		for j := range x {
			x[j] = z[j] - mean[j]
		}
		y := ys[i] - ybar
		addOuter(rw.g, x, 1)
		axpy(rw.h, x, y)
		rw.yy += y * y
	}
	symmetrize(rw.g, q)
	return rw, true
}

// symmetrize copies the upper triangle of the square matrix g into its lower triangle.
func symmetrize(g []float64, q int) {
	for i := range q {
		for j := i + 1; j < q; j++ {
			g[j*q+i] = g[i*q+j]
		}
	}
}

// quadSSE returns yy - 2 b'h + b'Gb, the sum of squared residuals of coefficients b.
func quadSSE(g, h []float64, yy float64, b []float64) float64 {
	q := len(b)
	sse := yy - 2*dot(b, h)
	for a := range q {
		sse += b[a] * dot(g[a*q:(a+1)*q], b)
	}
	return sse
}

// aic returns the AIC of the within NNLS fit in which kind k has lags 0..depth[k].
func (ls *lagSelector) aic(depth []int) (float64, error) {
	var idx []int
	for k, dk := range depth {
		for l := 0; l <= dk; l++ {
			idx = append(idx, k*(ls.w+1)+l)
		}
	}
	q, full := len(idx), ls.k*(ls.w+1)
	g, h := make([]float64, q*q), make([]float64, q)
	for a, i := range idx {
		h[a] = ls.h[i]
		for b, j := range idx {
			g[a*q+b] = ls.g[i*full+j]
		}
	}
	beta, err := solvePenalized(g, h, 0)
	if err != nil {
		return 0, err
	}
	sse := math.Max(quadSSE(g, h, ls.yy, beta), 1e-12*math.Max(ls.yy, 1e-300))
	return ls.n*math.Log(sse/ls.n) + 2*float64(q), nil
}

// depths chooses each kind's depth in 0..W by coordinate descent: with the other kinds' depths fixed, a kind's
// depth grows from 0 while one more lag lowers the AIC (the first local minimum, so a spurious late lag cannot be
// reached across a useless one). Sweeps start from the full window and repeat until no depth changes.
func (ls *lagSelector) depths() ([]int, error) {
	depth := slices.Repeat([]int{ls.w}, ls.k)
	if ls.n < 1 {
		return depth, nil
	}
	for range maxDepthSweeps {
		changed := false
		for k := range ls.k {
			dk, err := ls.firstMinimum(depth, k)
			if err != nil {
				return nil, err
			}
			changed = changed || dk != depth[k]
			depth[k] = dk
		}
		if !changed {
			break
		}
	}
	return depth, nil
}

// firstMinimum returns kind k's smallest depth whose AIC one more lag would not lower, the others held at depth.
func (ls *lagSelector) firstMinimum(depth []int, k int) (int, error) {
	trial := append([]int(nil), depth...)
	trial[k] = 0
	best, err := ls.aic(trial)
	if err != nil {
		return 0, err
	}
	for trial[k] < ls.w {
		trial[k]++
		a, err := ls.aic(trial)
		if err != nil {
			return 0, err
		}
		if a >= best {
			return trial[k] - 1, nil
		}
		best = a
	}
	return ls.w, nil
}
