package model

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// handRecipe is a two-kind recipe: calls worth 100 split over lags 0 and 1, proposals worth 1000 landing after 2 periods.
func handRecipe() *Recipe {
	return &Recipe{Baseline: 500, Level: 0.8,
		Kinds: []KindEffect{
			{Kind: "call", Value: 100, Lags: []LagShare{{Lag: 0, Share: 0.5}, {Lag: 1, Share: 0.5}}},
			{Kind: "proposal", Value: 1000, Lags: []LagShare{{Lag: 0}, {Lag: 1}, {Lag: 2, Share: 1}}},
		},
		Reps:      []RepEffect{{Rep: "ann", Effect: 200}, {Rep: "bob", Effect: -100}},
		Residuals: Residuals{Floor: 100, Quantiles: linearQuantiles(-10, 10)},
	}
}

// linearQuantiles returns 99 evenly spaced quantiles from lo to hi.
func linearQuantiles(lo, hi float64) []float64 {
	q := make([]float64, 99)
	for i := range q {
		q[i] = lo + (hi-lo)*float64(i)/98
	}
	return q
}

func TestLanding(t *testing.T) {
	rc := handRecipe()
	got, err := rc.Landing([][]float64{{2, 1}, {4, 0}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// current: calls 4*50 + 2*50, proposal (lag 1) 0; next: calls 4*50, proposal lag 2 = 1000; then nothing.
	want := []float64{300, 1200, 0}
	for h := range want {
		if math.Abs(got[h]-want[h]) > 1e-9 {
			t.Errorf("landing[%d] = %v, want %v", h, got[h], want[h])
		}
	}
	if _, err := rc.Landing([][]float64{{1}}, 1); err == nil {
		t.Error("want error for wrong kind count")
	}
}

func TestPredict(t *testing.T) {
	tests := []struct {
		rep  string
		want float64
	}{
		{"ann", 500 + 200 + 300},
		{"bob", 500 - 100 + 300},
		{"new rep", 500 + 300},
	}
	for _, tc := range tests {
		pr, err := handRecipe().Predict(tc.rep, [][]float64{{2, 1}, {4, 0}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(pr.Expected-tc.want) > 1e-9 || !(pr.Low < pr.Expected && pr.Expected < pr.High) || pr.Level != 0.8 {
			t.Errorf("%s: %+v, want expected %v inside its interval", tc.rep, pr, tc.want)
		}
	}
	if _, err := handRecipe().Predict("ann", nil, 1.5); err == nil {
		t.Error("want error for level 1.5")
	}
}

func TestValueWithin(t *testing.T) {
	tests := []struct {
		kind string
		h    float64
		want float64
	}{
		{"call", 0, 0}, {"call", 0.5, 25}, {"call", 1, 50}, {"call", 1.5, 75}, {"call", 2, 100}, {"call", 9, 100},
		{"proposal", 2, 0}, {"proposal", 2.5, 500}, {"proposal", 3, 1000},
	}
	for _, tc := range tests {
		got, err := handRecipe().ValueWithin(tc.kind, tc.h)
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s within %v = %v, %v; want %v", tc.kind, tc.h, got, err, tc.want)
		}
	}
}

func TestActivitiesNeeded(t *testing.T) {
	tests := []struct {
		kind    string
		gap, h  float64
		want    float64
		noEffct bool
	}{
		{kind: "call", gap: 0, h: 1, want: 0},
		{kind: "call", gap: 250, h: 1, want: 10},           // average value over [0,1] is 25
		{kind: "call", gap: 500, h: 2, want: 10},           // integral 25 + 75 = 100 over 2 periods
		{kind: "proposal", gap: 1000, h: 2, noEffct: true}, // too late to land
		{kind: "proposal", gap: 1000, h: 3, want: 1000 / (500.0 / 3)},
	}
	for _, tc := range tests {
		got, err := handRecipe().ActivitiesNeeded(tc.kind, tc.gap, tc.h)
		if tc.noEffct {
			if !errors.Is(err, ErrNoEffect) {
				t.Errorf("%s gap %v h %v: err %v, want ErrNoEffect", tc.kind, tc.gap, tc.h, err)
			}
			continue
		}
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s gap %v h %v = %v, %v; want %v", tc.kind, tc.gap, tc.h, got, err, tc.want)
		}
	}
	if _, err := handRecipe().ActivitiesNeeded("fax", 1, 1); err == nil {
		t.Error("want error for unknown kind")
	}
}

func TestRecipeGolden(t *testing.T) {
	c := smallSim(99)
	c.reps = 30
	rec := fitOrFatal(t, simulate(c), Options{Bootstrap: 20})
	rec.Reps = rec.Reps[:3]
	got, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	const path = "testdata/recipe_small.golden.json"
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !closeJSON(a, b) {
		t.Errorf("recipe differs from %s (run with -update to accept):\n%s", path, got)
	}
}

// closeJSON compares decoded JSON values, numbers to a relative 1e-9.
func closeJSON(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !closeJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !closeJSON(v, y[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}
