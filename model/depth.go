package model

import (
	"math"
	"slices"
	"strconv"
)

// maxDepthSweeps bounds the coordinate descent over per-kind lag depths.
const maxDepthSweeps = 4

// depthFolds is the number of groups of reps the lag depths are cross-validated over.
const depthFolds = 10

// lagSelector scores per-kind free-lag depths out of sample: leave-reps-out cross-validation of the within-rep NNLS
// fit on the rows every depth can use (periods W..T-1), each group of reps predicted by a fit on the others. Revenue
// noise grows with a rep's volume, so each rep's rows are weighted by the inverse of its residual variance under the
// full-window fit (feasible GLS), and the loss is the weighted squared error of the rep's own within variation. Every
// rep's normal equations over all W+1 lags of every kind are accumulated once; a held-out loss is a quadratic form.
type lagSelector struct {
	k, w  int
	reps  []repWithin // weighted, per rep with rows
	fold  []int       // fold of each entry of reps
	g, h  []float64   // sums over reps
	foldG [][]float64 // per fold: sums over its reps
	foldH [][]float64
}

// repWithin are one rep's within cross-products of the slope features over periods W..T-1.
type repWithin struct {
	g, h  []float64
	yy, n float64
}

// varianceShrink is the pseudo-count of rows pulling each rep's residual variance toward the pooled one.
const varianceShrink = 4

// newLagSelector accumulates each rep's weighted full-lag within normal equations over periods W..T-1.
func (d *design) newLagSelector() (*lagSelector, error) {
	q := d.P - 1
	ls := &lagSelector{k: d.K, w: d.W, g: make([]float64, q*q), h: make([]float64, q)}
	var reps []repWithin
	g, h := make([]float64, q*q), make([]float64, q)
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
	folds := min(depthFolds, len(reps))
	ls.foldG, ls.foldH = make([][]float64, folds), make([][]float64, folds)
	for f := range folds {
		ls.foldG[f], ls.foldH[f] = make([]float64, q*q), make([]float64, q)
	}
	for i, rw := range reps {
		v := (sse[i] + varianceShrink*pooled) / (rw.n - 1 + varianceShrink)
		w := 1 / math.Max(v, 1e-12*math.Max(pooled, 1e-300))
		scaled := repWithin{g: make([]float64, q*q), h: make([]float64, q), yy: w * rw.yy, n: rw.n}
		axpy(scaled.g, rw.g, w)
		axpy(scaled.h, rw.h, w)
		f := i % folds
		ls.reps, ls.fold = append(ls.reps, scaled), append(ls.fold, f)
		axpy(ls.g, scaled.g, 1)
		axpy(ls.h, scaled.h, 1)
		axpy(ls.foldG[f], scaled.g, 1)
		axpy(ls.foldH[f], scaled.h, 1)
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

// columns returns the full-lag slope indices of the free-lag form in which kind k has lags 0..depth[k].
func (ls *lagSelector) columns(depth []int) []int {
	var idx []int
	for k, dk := range depth {
		for l := 0; l <= dk; l++ {
			idx = append(idx, k*(ls.w+1)+l)
		}
	}
	return idx
}

// losses returns each rep's held-out weighted squared error when kind k has lags 0..depth[k]: the slopes are fitted
// (NNLS) on the other folds' reps and scored on the rep's own within variation.
func (ls *lagSelector) losses(depth []int) ([]float64, error) {
	idx := ls.columns(depth)
	q, full := len(idx), ls.k*(ls.w+1)
	out := make([]float64, len(ls.reps))
	g, h, b := make([]float64, q*q), make([]float64, q), make([]float64, full)
	for f := range ls.foldG {
		for a, i := range idx {
			h[a] = ls.h[i] - ls.foldH[f][i]
			for c, j := range idx {
				g[a*q+c] = ls.g[i*full+j] - ls.foldG[f][i*full+j]
			}
		}
		beta, err := solvePenalized(g, h, 0)
		if err != nil {
			return nil, err
		}
		clear(b)
		for a, i := range idx {
			b[i] = beta[a]
		}
		for r, rw := range ls.reps {
			if ls.fold[r] == f {
				out[r] = quadSSE(rw.g, rw.h, rw.yy, b)
			}
		}
	}
	return out, nil
}

// depths chooses each kind's depth in 0..W: a kind gets the shallowest depth whose held-out loss is within one
// standard error (of its paired difference over reps) of the lowest, the other kinds held at their depths of the
// previous sweep, so a late lag is kept when it predicts reps the fit has not seen and a spurious one is not. Sweeps
// start from the full window and repeat until no depth changes; every kind is updated at once, so the choice does
// not depend on the order of the kinds. Each sweep's trials are scored once each, over workers goroutines.
func (ls *lagSelector) depths(workers int) ([]int, error) {
	depth := slices.Repeat([]int{ls.w}, ls.k)
	if len(ls.reps) < 2 {
		return depth, nil
	}
	seen := map[string][]float64{}
	for range maxDepthSweeps {
		if err := ls.score(seen, ls.trials(depth), workers); err != nil {
			return nil, err
		}
		next := make([]int, ls.k)
		for k := range ls.k {
			next[k] = ls.oneSE(seen, depth, k)
		}
		if slices.Equal(next, depth) {
			break
		}
		depth = next
	}
	return depth, nil
}

// trials returns the depth vectors a sweep from depth scores: each kind at each depth in 0..W, the others held.
func (ls *lagSelector) trials(depth []int) [][]int {
	var out [][]int
	for k := range ls.k {
		for dk := range ls.w + 1 {
			trial := slices.Clone(depth)
			trial[k] = dk
			out = append(out, trial)
		}
	}
	return out
}

// depthKey names a depth vector in the table of scored trials.
func depthKey(depth []int) string {
	b := make([]byte, 0, 3*len(depth))
	for _, d := range depth {
		b = strconv.AppendInt(append(b, ','), int64(d), 10)
	}
	return string(b)
}

// score adds to seen the held-out losses of the trials it does not hold yet, spread over workers goroutines.
func (ls *lagSelector) score(seen map[string][]float64, trials [][]int, workers int) error {
	var pending [][]int
	for _, trial := range trials {
		key := depthKey(trial)
		if _, ok := seen[key]; !ok {
			seen[key] = nil
			pending = append(pending, trial)
		}
	}
	out := make([][]float64, len(pending))
	err := eachIndex(len(pending), workers, func(i int) (err error) {
		out[i], err = ls.losses(pending[i])
		return err
	})
	for i, trial := range pending {
		seen[depthKey(trial)] = out[i]
	}
	return err
}

// oneSE returns kind k's shallowest depth whose held-out loss is within one paired standard error of the lowest,
// the other kinds held at depth; seen holds every trial's losses.
func (ls *lagSelector) oneSE(seen map[string][]float64, depth []int, k int) int {
	trial := slices.Clone(depth)
	loss := make([][]float64, ls.w+1)
	best, bestSum := 0, math.Inf(1)
	for dk := range ls.w + 1 {
		trial[k] = dk
		loss[dk] = seen[depthKey(trial)]
		if s := sum(loss[dk]); s < bestSum {
			best, bestSum = dk, s
		}
	}
	for dk := range best {
		if excess, se := pairedExcess(loss[dk], loss[best]); excess <= se {
			return dk
		}
	}
	return best
}

// pairedExcess returns the summed excess of loss a over loss b and its standard error from the spread of the paired
// per-rep differences.
func pairedExcess(a, b []float64) (float64, float64) {
	n := float64(len(a))
	s, ss := 0.0, 0.0
	for i := range a {
		x := a[i] - b[i]
		s, ss = s+x, ss+x*x
	}
	mean := s / n
	return s, math.Sqrt(math.Max(ss/n-mean*mean, 0) * n * n / math.Max(n-1, 1))
}

// sum returns the sum of xs.
func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
