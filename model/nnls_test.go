package model

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type referenceCase struct {
	Name          string      `json:"name"`
	A             [][]float64 `json:"a"`
	B             []float64   `json:"b"`
	Lambda        float64     `json:"lambda"`
	NNLS          []float64   `json:"nnls"`
	NNLSObjective float64     `json:"nnls_objective"`
	Ridge         []float64   `json:"ridge"`
	RidgeObj      float64     `json:"ridge_objective"`
	Unique        bool        `json:"unique"`
}

func loadReference(t *testing.T) []referenceCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/nnls_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []referenceCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func objective(a *mat.Dense, b, x []float64, lambda float64) float64 {
	r := mat.NewVecDense(len(b), nil)
	r.MulVec(a, mat.NewVecDense(len(x), x))
	r.SubVec(r, mat.NewVecDense(len(b), b))
	xv := mat.NewVecDense(len(x), x)
	return mat.Dot(r, r) + lambda*mat.Dot(xv, xv)
}

func TestNNLSMatchesSciPy(t *testing.T) {
	for _, c := range loadReference(t) {
		t.Run(c.Name, func(t *testing.T) {
			a := denseOf(c.A)
			x, err := NNLS(a, c.B, c.Lambda)
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range x {
				if v < 0 {
					t.Errorf("x[%d] = %v < 0", j, v)
				}
				if c.Unique && math.Abs(v-c.NNLS[j]) > 1e-7 {
					t.Errorf("x[%d] = %.10g, scipy %.10g", j, v, c.NNLS[j])
				}
			}
			if got := objective(a, c.B, x, c.Lambda); got > c.NNLSObjective*(1+1e-9)+1e-12 {
				t.Errorf("objective %.12g worse than scipy %.12g", got, c.NNLSObjective)
			}
		})
	}
}

func TestRidgeMatchesNumpy(t *testing.T) {
	for _, c := range loadReference(t) {
		t.Run(c.Name, func(t *testing.T) {
			a := denseOf(c.A)
			x, err := Ridge(a, c.B, c.Lambda)
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range x {
				if math.Abs(v-c.Ridge[j]) > 1e-7 {
					t.Errorf("x[%d] = %.10g, numpy %.10g", j, v, c.Ridge[j])
				}
			}
			if got := objective(a, c.B, x, c.Lambda); got > c.RidgeObj*(1+1e-9)+1e-12 {
				t.Errorf("objective %.12g worse than numpy %.12g", got, c.RidgeObj)
			}
		})
	}
}

func TestNNLSGramFreeVariables(t *testing.T) {
	// y = -3 + 2 x1, x2 irrelevant with a negative pull: intercept stays negative, x2 clamps at zero.
	a := mat.NewDense(5, 3, []float64{1, 0, 1, 1, 1, 0, 1, 2, 1, 1, 3, 0, 1, 4, 1})
	b := []float64{-3.5, -1, 1.5, 3, 4.5}
	g, h, err := normalEquations(a, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	x, err := NNLSGram(g, h, []bool{true, false, false})
	if err != nil {
		t.Fatal(err)
	}
	if x[0] >= 0 || x[1] <= 0 || x[2] != 0 {
		t.Fatalf("x = %v, want negative intercept, positive slope, zero third", x)
	}
}

func TestNNLSDimensionErrors(t *testing.T) {
	if _, err := NNLS(mat.NewDense(3, 2, nil), []float64{1, 2}, 0); err == nil {
		t.Fatal("want error for row mismatch")
	}
	if _, err := NNLSGram(mat.NewSymDense(2, nil), []float64{1}, nil); err == nil {
		t.Fatal("want error for h mismatch")
	}
}
