package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// keepLevel is the one-sided level of the test a kind's value must pass to keep an effect: a kind with no effect
// keeps one in about one firm in twenty, while a small real effect is not dropped merely for failing to cut the
// out-of-sample error by one standard error, which biased every small value to zero and handed its revenue to the
// kinds that move with it.
const keepLevel = 0.95

// keepT returns how many standard errors above zero a kind's value must lie with g reps: the keepLevel quantile of
// Student's t with g-1 degrees of freedom (1.645 with many reps, 1.83 with 10), since a clustered standard error from few reps is
// itself uncertain.
func keepT(g int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(max(g-1, 1))}.Quantile(keepLevel)
}

// kindZ returns each kind's value in the unrestricted reference fit (free lags 0..depth of every kind, weighted, no
// sign constraint) divided by its rep-clustered (sandwich, with the small-sample factor g/(g-1)) standard error: how
// clearly the data says the kind brings revenue; and g, the number of reps behind it. A kind that never varies has
// z 0.
func (d *design) kindZ(depth int) ([]float64, int) {
	ref := d.reference(depth)
	p := ref.c.f.p()
	q := p - 1
	gr, hr := make([]float64, p*p), make([]float64, p)
	for i := range ref.rb.g {
		axpy(gr, ref.rb.g[i], 1)
		axpy(hr, ref.rb.h[i], 1)
	}
	gs, hs := slopeBlock(gr, hr, p)
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
	g := len(ref.rb.g)
	for i := range meat {
		meat[i] *= float64(g) / float64(max(g-1, 1))
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
	return z, g
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
