package model

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// foldStats are the cross-products of one form over the training periods [from, to).
type foldStats struct {
	f     *form
	g, h  []float64   // X'X (p*p) and X'y (p)
	s     [][]float64 // per rep: sum of x over its training rows (nil when it has none)
	n, sy []float64   // per rep: training rows and revenue sum
	w     []float64   // per rep: weight of its rows (the design's)
}

// fold accumulates the form's cross-products over periods [from, to).
func (d *design) fold(f *form, from, to int) *foldStats {
	fs := &foldStats{f: f, s: make([][]float64, d.R), n: make([]float64, d.R), sy: make([]float64, d.R), w: make([]float64, d.R)}
	g := make([]float64, d.P*d.P)
	h := make([]float64, d.P)
	for t := from; t < to; t++ {
		axpy(g, d.gram[t], 1)
		axpy(h, d.xy[t], 1)
	}
	fs.g, fs.h = f.projectGram(g, d.P), f.projectVec(h)
	diff := make([]float64, d.P)
	for r := range d.R {
		fs.w[r] = d.weight(r)
		fs.n[r] = d.prefN[r][to] - d.prefN[r][from]
		if fs.n[r] == 0 {
			continue
		}
		fs.sy[r] = d.prefY[r][to] - d.prefY[r][from]
		for i := range diff {
			diff[i] = d.prefS[r][to*d.P+i] - d.prefS[r][from*d.P+i]
		}
		fs.s[r] = f.projectVec(diff)
	}
	return fs
}

// within returns the slope columns' normal equations after absorbing each rep's intercept (the within transformation).
func (fs *foldStats) within() ([]float64, []float64) {
	p := fs.f.p()
	g := append([]float64(nil), fs.g...)
	h := append([]float64(nil), fs.h...)
	for r, s := range fs.s {
		if s != nil {
			addOuter(g, s, -fs.w[r]/fs.n[r])
			axpy(h, s, -fs.w[r]*fs.sy[r]/fs.n[r])
		}
	}
	return slopeBlock(g, h, p)
}

// slopeBlock drops column 0 (the intercept) from upper-triangular normal equations and symmetrizes the rest.
func slopeBlock(g, h []float64, p int) ([]float64, []float64) {
	q := p - 1
	gs := make([]float64, q*q)
	for i := range q {
		for j := i; j < q; j++ {
			gs[i*q+j], gs[j*q+i] = g[(i+1)*p+j+1], g[(i+1)*p+j+1]
		}
	}
	return gs, append([]float64(nil), h[1:]...)
}

// solve fits the slopes within reps (non-negative, ridge lambda) and the firm intercept as the mean remaining revenue.
func (fs *foldStats) solve(g, h []float64, lambda float64) ([]float64, error) {
	slopes, err := solvePenalized(g, h, lambda)
	if err != nil {
		return nil, err
	}
	return append([]float64{fs.intercept(slopes)}, slopes...), nil
}

// intercept returns the firm intercept as the mean revenue the slopes leave unexplained (0 without training rows).
func (fs *foldStats) intercept(slopes []float64) float64 {
	n := fs.g[0]
	if !(n > 0) {
		return 0
	}
	return (fs.h[0] - dot(fs.g[1:fs.f.p()], slopes)) / n
}

// repEffect returns rep r's shrunk intercept deviation given the coefficients.
func (fs *foldStats) repEffect(r int, beta []float64, tau float64) float64 {
	return fs.shrink(r, fs.residual(r, beta), tau)
}

// residual returns rep r's training revenue minus what the coefficients explain (0 without training rows).
func (fs *foldStats) residual(r int, beta []float64) float64 {
	if fs.s[r] == nil {
		return 0
	}
	return fs.sy[r] - dot(fs.s[r], beta)
}

// shrink turns rep r's residual into its intercept deviation shrunk by tau (0 without training rows).
func (fs *foldStats) shrink(r int, resid, tau float64) float64 {
	if fs.s[r] == nil {
		return 0
	}
	return resid / (fs.n[r] + tau)
}

// solvePenalized solves the NNLS problem with a ridge penalty lambda relative to each column's sum of squares.
func solvePenalized(g, h []float64, lambda float64) ([]float64, error) {
	q := len(h)
	if q == 0 {
		return nil, nil
	}
	sym := mat.NewSymDense(q, append([]float64(nil), g...))
	for j := range q {
		sym.SetSym(j, j, g[j*q+j]*(1+lambda))
	}
	beta, err := NNLSGram(sym, h, nil)
	if err != nil {
		return nil, fmt.Errorf("model: solving the normal equations: %w", err)
	}
	return beta, nil
}
