package model

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
	for t := range d.T {
		d.gram[t] = make([]float64, d.P*d.P)
		d.xy[t] = make([]float64, d.P)
	}
	for r := range d.R {
		s := make([]float64, (d.T+1)*d.P)
		n := make([]float64, d.T+1)
		ys := make([]float64, d.T+1)
		for t := range d.T {
			copy(s[(t+1)*d.P:(t+2)*d.P], s[t*d.P:(t+1)*d.P])
			n[t+1], ys[t+1] = n[t], ys[t]
			z := d.z[r*d.T+t]
			if z == nil {
				continue
			}
			y := d.y[r*d.T+t]
			addOuter(d.gram[t], z, 1)
			axpy(d.xy[t], z, y)
			axpy(s[(t+1)*d.P:(t+2)*d.P], z, 1)
			n[t+1]++
			ys[t+1] += y
		}
		d.prefS, d.prefN, d.prefY = append(d.prefS, s), append(d.prefN, n), append(d.prefY, ys)
	}
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
