package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// errDimension reports inputs whose sizes do not agree.
var errDimension = errors.New("model: dimension mismatch")

// NNLS solves min ||a x - b||² + lambda ||x||² subject to x >= 0 with the Lawson–Hanson active-set method.
func NNLS(a mat.Matrix, b []float64, lambda float64) ([]float64, error) {
	g, h, err := normalEquations(a, b, lambda)
	if err != nil {
		return nil, err
	}
	return NNLSGram(g, h, nil)
}

// Ridge solves min ||a x - b||² + lambda ||x||² without sign constraints (minimum-norm when singular).
func Ridge(a mat.Matrix, b []float64, lambda float64) ([]float64, error) {
	g, h, err := normalEquations(a, b, lambda)
	if err != nil {
		return nil, err
	}
	return solveSym(g, h), nil
}

// normalEquations forms a'a + lambda I and a'b.
func normalEquations(a mat.Matrix, b []float64, lambda float64) (*mat.SymDense, []float64, error) {
	r, c := a.Dims()
	if r != len(b) {
		return nil, nil, fmt.Errorf("nnls: %d rows but %d targets: %w", r, len(b), errDimension)
	}
	if lambda < 0 || math.IsNaN(lambda) {
		return nil, nil, fmt.Errorf("nnls: penalty %v must be >= 0: %w", lambda, errDimension)
	}
	g := mat.NewSymDense(c, nil)
	g.SymOuterK(1, a.T())
	for j := 0; j < c; j++ {
		g.SetSym(j, j, g.At(j, j)+lambda)
	}
	hv := mat.NewVecDense(c, nil)
	hv.MulVec(a.T(), mat.NewVecDense(r, b))
	return g, hv.RawVector().Data, nil
}

// NNLSGram solves min x'gx - 2h'x subject to x >= 0 for the variables not flagged free, by Lawson–Hanson on the normal equations.
func NNLSGram(g mat.Symmetric, h []float64, free []bool) ([]float64, error) {
	n := g.SymmetricDim()
	if len(h) != n || (free != nil && len(free) != n) {
		return nil, fmt.Errorf("nnls: gram %d, h %d, free %d: %w", n, len(h), len(free), errDimension)
	}
	s := &nnlsState{g: g, h: h, free: free, x: make([]float64, n), inP: make([]bool, n)}
	s.tol = 1e-11 * (maxAbs(h) + 1e-300) * float64(n)
	for j := range n {
		s.inP[j] = s.isFree(j)
	}
	if !s.feasibleStep() {
		return nil, errors.New("nnls: free variables alone are not solvable")
	}
	for iter := 0; iter < 3*n+10; iter++ {
		j := s.entering()
		if j < 0 {
			return s.x, nil
		}
		s.inP[j] = true
		if !s.feasibleStep() {
			break
		}
	}
	return s.x, nil
}

// nnlsState is the working state of one Lawson–Hanson solve.
type nnlsState struct {
	g    mat.Symmetric
	h    []float64
	free []bool
	x    []float64
	inP  []bool
	tol  float64
}

func (s *nnlsState) isFree(j int) bool { return s.free != nil && s.free[j] }

// entering returns the constrained variable with the largest positive gradient outside the passive set, or -1.
func (s *nnlsState) entering() int {
	best, arg := s.tol, -1
	for j := range s.x {
		if s.inP[j] || s.isFree(j) {
			continue
		}
		w := s.h[j]
		for i := range s.x {
			w -= s.g.At(j, i) * s.x[i]
		}
		if w > best {
			best, arg = w, j
		}
	}
	return arg
}

// feasibleStep runs the inner loop: solve on the passive set and step back until the constrained part is positive.
func (s *nnlsState) feasibleStep() bool {
	for range len(s.x) + 1 {
		z := s.solvePassive()
		alpha, block := s.stepLength(z)
		if block < 0 {
			copy(s.x, z)
			return true
		}
		for j := range s.x {
			s.x[j] += alpha * (z[j] - s.x[j])
			if j == block || (s.inP[j] && !s.isFree(j) && s.x[j] <= 0) {
				s.x[j], s.inP[j] = 0, false
			}
		}
	}
	return false
}

// stepLength returns the largest step toward z that keeps constrained passive variables non-negative, and the blocking variable (-1 if none).
func (s *nnlsState) stepLength(z []float64) (float64, int) {
	alpha, block := math.Inf(1), -1
	for j := range z {
		if !s.inP[j] || s.isFree(j) || z[j] > 0 {
			continue
		}
		a := 0.0
		if d := s.x[j] - z[j]; d > 0 {
			a = s.x[j] / d
		}
		if a < alpha {
			alpha, block = a, j
		}
	}
	return alpha, block
}

// solvePassive solves the unconstrained subproblem on the passive set, zero elsewhere.
func (s *nnlsState) solvePassive() []float64 {
	idx := make([]int, 0, len(s.x))
	for j, p := range s.inP {
		if p {
			idx = append(idx, j)
		}
	}
	z := make([]float64, len(s.x))
	if len(idx) == 0 {
		return z
	}
	sub := mat.NewSymDense(len(idx), nil)
	hs := make([]float64, len(idx))
	for a, i := range idx {
		hs[a] = s.h[i]
		for b := a; b < len(idx); b++ {
			sub.SetSym(a, b, s.g.At(i, idx[b]))
		}
	}
	for a, v := range solveSym(sub, hs) {
		z[idx[a]] = v
	}
	return z
}

// solveSym solves g x = h by Cholesky, falling back to a minimum-norm SVD solve when g is singular.
func solveSym(g *mat.SymDense, h []float64) []float64 {
	n := g.SymmetricDim()
	out := mat.NewVecDense(n, nil)
	var ch mat.Cholesky
	if ch.Factorize(g) && ch.Cond() < 1e12 {
		if ch.SolveVecTo(out, mat.NewVecDense(n, h)) == nil {
			return out.RawVector().Data
		}
	}
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDThin) {
		return out.RawVector().Data
	}
	if rank := svd.Rank(1e-10); rank > 0 {
		svd.SolveVecTo(out, mat.NewVecDense(n, h), rank)
	}
	return out.RawVector().Data
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}
