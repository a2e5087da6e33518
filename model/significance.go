package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// keepZ is how many standard errors above zero a kind's value in the reference fit must lie for the kind to keep an
// effect: a one-sided 5% test, so a kind with no effect keeps one in about one firm in twenty, while a small real
// effect is not dropped merely for failing to cut the out-of-sample error by one standard error, which biased every
// small value to zero and handed its revenue to the kinds that move with it.
const keepZ = 1.645

// kindZ returns each kind's value in the unrestricted reference fit (free lags 0..depth of every kind, weighted, no
// sign constraint) divided by its rep-clustered (sandwich) standard error: how clearly the data says the kind
// brings revenue. A kind that never varies has z 0.
func (d *design) kindZ(depth int) []float64 {
	ref := d.reference(depth)
	p := ref.c.f.p()
	q := p - 1
	g, h := make([]float64, p*p), make([]float64, p)
	for i := range ref.rb.g {
		axpy(g, ref.rb.g[i], 1)
		axpy(h, ref.rb.h[i], 1)
	}
	gs, hs := slopeBlock(g, h, p)
	sym := mat.NewSymDense(q, gs)
	beta := solveSym(sym, hs)
	meat := make([]float64, q*q)
	for i := range ref.rb.g {
		gi, hi := slopeBlock(ref.rb.g[i], ref.rb.h[i], p)
		s := hi
		for a := range q {
			s[a] -= dot(gi[a*q:(a+1)*q], beta)
		}
		addOuter(meat, s, 1)
	}
	symmetrize(meat, q)
	bread := make([][]float64, q) // columns of the (pseudo-)inverse of the slopes' cross-products
	for j := range q {
		e := make([]float64, q)
		e[j] = 1
		bread[j] = solveSym(sym, e)
	}
	z := make([]float64, d.K)
	for k := range d.K {
		var cols []int
		for c := 1; c < p; c++ {
			if ref.c.f.kindOf(c) == k {
				cols = append(cols, c-1)
			}
		}
		z[k] = sumZ(beta, bread, meat, cols)
	}
	return z
}

// sumZ returns the sum of beta over cols divided by its sandwich standard error; 0 when it has no spread.
func sumZ(beta []float64, bread [][]float64, meat []float64, cols []int) float64 {
	q := len(beta)
	a := make([]float64, q) // bread' 1_cols: the sum's gradient through the inverse
	v := 0.0
	for _, c := range cols {
		v += beta[c]
		axpy(a, bread[c], 1)
	}
	variance := 0.0
	for i := range q {
		variance += a[i] * dot(meat[i*q:(i+1)*q], a)
	}
	if !(variance > 0) {
		return 0
	}
	return v / math.Sqrt(variance)
}
