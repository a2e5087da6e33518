package model

import "slices"

// design holds the panel in canonical rep order as full-lag feature rows and the running sums the fits need.
//
// A feature row z for rep r and period t is [1, x(t-l, k) for k, l = 0..W]; counts from inactive periods are
// zero (a rep not employed does no activity), and lags reaching before period 0 are zero but such rows are
// used only by forms whose depth they do not exceed.
type design struct {
	R, T, K, W, P int
	reps          []string    // canonical rep names
	z             [][]float64 // feature row per r*T+t, nil when inactive
	y             []float64   // revenue per r*T+t
	gram          [][]float64 // per period: sum of z z' over active reps (P*P)
	xy            [][]float64 // per period: sum of z y (P)
	prefS         [][]float64 // per rep: prefix sums of z over periods ((T+1)*P)
	prefN         [][]float64 // per rep: prefix counts of active periods (T+1)
	prefY         [][]float64 // per rep: prefix sums of revenue (T+1)
	w             []float64   // per rep: weight of its rows in the cross-products (nil means 1)
}

// newDesign builds the design with maximum lag w.
func newDesign(p *Panel, w int) *design {
	d := &design{R: len(p.Reps), T: p.Periods, K: len(p.Kinds), W: w}
	d.P = 1 + d.K*(w+1)
	d.z = make([][]float64, d.R*d.T)
	d.y = make([]float64, d.R*d.T)
	for ci, r := range p.repOrder() {
		d.reps = append(d.reps, p.Reps[r])
		for t := 0; t < d.T; t++ {
			if p.active(r, t) {
				d.z[ci*d.T+t] = d.row(p, r, t)
				d.y[ci*d.T+t] = p.Revenue[r][t]
			}
		}
	}
	d.accumulate()
	d.weighByVolume()
	return d
}

// row builds the full-lag feature row of rep r (input order) at period t.
func (d *design) row(p *Panel, r, t int) []float64 {
	z := make([]float64, d.P)
	z[0] = 1
	for l := 0; l <= d.W && l <= t; l++ {
		if !p.active(r, t-l) {
			continue
		}
		for k, c := range p.Counts[r][t-l] {
			z[1+k*(d.W+1)+l] = c
		}
	}
	return z
}

// accumulate fills the per-period cross-products and the per-rep prefix sums.
func (d *design) accumulate() {
	d.gram = make([][]float64, d.T)
	d.xy = make([][]float64, d.T)
	d.prefS, d.prefN, d.prefY = nil, nil, nil
	for t := range d.T {
		d.gram[t] = make([]float64, d.P*d.P)
		d.xy[t] = make([]float64, d.P)
	}
	for r := range d.R {
		s := make([]float64, (d.T+1)*d.P)
		n := make([]float64, d.T+1)
		ys := make([]float64, d.T+1)
		wr := d.weight(r)
		for t := range d.T {
			copy(s[(t+1)*d.P:(t+2)*d.P], s[t*d.P:(t+1)*d.P])
			n[t+1], ys[t+1] = n[t], ys[t]
			z := d.z[r*d.T+t]
			if z == nil {
				continue
			}
			y := d.y[r*d.T+t]
			addOuter(d.gram[t], z, wr)
			axpy(d.xy[t], z, wr*y)
			axpy(s[(t+1)*d.P:(t+2)*d.P], z, 1)
			n[t+1]++
			ys[t+1] += y
		}
		d.prefS, d.prefN, d.prefY = append(d.prefS, s), append(d.prefN, n), append(d.prefY, ys)
	}
}

// weight returns rep r's weight.
func (d *design) weight(r int) float64 {
	if d.w == nil {
		return 1
	}
	return d.w[r]
}

// addOuter adds a*v v' to the upper triangle of the square matrix g.
func addOuter(g, v []float64, a float64) {
	n := len(v)
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		avi := a * vi
		row := g[i*n : (i+1)*n]
		for j := i; j < n; j++ {
			row[j] += avi * v[j]
		}
	}
}

// axpy adds a*x to y.
func axpy(y, x []float64, a float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

// dot returns the inner product of a and b.
func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// volumeFloor is the smallest expected revenue a rep's weight is computed from, as a share of the reps' mean.
const volumeFloor = 0.1

// weighByVolume weights each rep by the inverse of its expected revenue at the pooled values, and accumulates again.
// Won revenue is a sum of deals, so its variance grows with its mean: weighting by the inverse of the mean is the
// efficient (quasi-Poisson) fit. The mean is the firm intercept plus the rep's activity at the slopes of one
// within fit of every kind and lag, the same for all reps, never the rep's own revenue: a weight built from it would
// favour the reps who convert worse and bias every value down. It also makes each rep count by its activity, so the
// values are averages over activities rather than over the reps whose activity happens to vary most.
func (d *design) weighByVolume() {
	f := freeLagsDepths(slices.Repeat([]int{d.W}, d.K), d.W)
	fs := d.fold(f, d.W, d.T)
	g, h := fs.within()
	beta, err := fs.solve(g, h, 0)
	if err != nil {
		return
	}
	base := max(beta[0], 0)
	mean := make([]float64, d.R)
	total, n := 0.0, 0.0
	for r := range d.R {
		rows := 0.0
		for t := d.W; t < d.T; t++ {
			if z := d.z[r*d.T+t]; z != nil {
				mean[r] += base + dot(f.projectVec(z)[1:], beta[1:])
				rows++
			}
		}
		if rows > 0 {
			mean[r] /= rows
			total, n = total+mean[r], n+1
		}
	}
	if !(total > 0) {
		return
	}
	floor := volumeFloor * total / n
	d.w = make([]float64, d.R)
	for r := range d.R {
		d.w[r] = floor / max(mean[r], floor)
	}
	d.accumulate()
}
