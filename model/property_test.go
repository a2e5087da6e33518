package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// smallSim is a quick scenario for property tests.
func smallSim(seed uint64) simConfig {
	c := defaultSim(seed)
	c.reps, c.periods = 40, 18
	return c
}

func fitOrFatal(t *testing.T, p *Panel, o Options) *Recipe {
	t.Helper()
	rec, err := Fit(p, o)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestEffectsNeverNegative(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		rec := fitOrFatal(t, simulate(smallSim(seed)), Options{Bootstrap: 50})
		for _, ke := range rec.Kinds {
			if ke.Value < 0 || ke.CILow < 0 || ke.CIHigh < ke.CILow {
				t.Errorf("seed %d %s: value %v [%v, %v]", seed, ke.Kind, ke.Value, ke.CILow, ke.CIHigh)
			}
			for _, ls := range ke.Lags {
				if ls.Share < 0 || ls.CILow < 0 {
					t.Errorf("seed %d %s lag %d: share %v low %v", seed, ke.Kind, ls.Lag, ls.Share, ls.CILow)
				}
			}
		}
	}
}

func TestScalingRevenueScalesValues(t *testing.T) {
	p := simulate(smallSim(5))
	base := fitOrFatal(t, p, Options{Bootstrap: 20})
	const c = 3.5
	for r := range p.Revenue {
		for i := range p.Revenue[r] {
			p.Revenue[r][i] *= c
		}
	}
	scaled := fitOrFatal(t, p, Options{Bootstrap: 20})
	if scaled.Method != base.Method || scaled.Lags != base.Lags || math.Abs(scaled.CVWAPE-base.CVWAPE) > 1e-9 {
		t.Fatalf("form changed: %s/%d/%v vs %s/%d/%v", scaled.Method, scaled.Lags, scaled.CVWAPE, base.Method, base.Lags, base.CVWAPE)
	}
	for k, ke := range scaled.Kinds {
		want := c * base.Kinds[k].Value
		if math.Abs(ke.Value-want) > 1e-6*math.Max(1, want) || math.Abs(ke.CIHigh-c*base.Kinds[k].CIHigh) > 1e-6*math.Max(1, want) {
			t.Errorf("%s: %v, want %v", ke.Kind, ke.Value, want)
		}
	}
}

func TestPermutingRepsChangesNothing(t *testing.T) {
	p := simulate(smallSim(6))
	base := fitOrFatal(t, p, Options{Bootstrap: 20})
	perm := rand.New(rand.NewPCG(9, 9)).Perm(len(p.Reps))
	q := &Panel{Grain: p.Grain, Periods: p.Periods, Kinds: p.Kinds}
	for _, i := range perm {
		q.Reps = append(q.Reps, p.Reps[i])
		q.Counts = append(q.Counts, p.Counts[i])
		q.Revenue = append(q.Revenue, p.Revenue[i])
		q.Active = append(q.Active, p.Active[i])
	}
	if got := fitOrFatal(t, q, Options{Bootstrap: 20}); !reflect.DeepEqual(got, base) {
		t.Fatal("recipe depends on rep order")
	}
}

func TestDeterministicForSeed(t *testing.T) {
	p := simulate(smallSim(7))
	seeded := func(s uint64) *Recipe {
		return fitOrFatal(t, p, Options{Bootstrap: 30, Rand: rand.New(rand.NewPCG(s, 1))})
	}
	a, b := seeded(42), seeded(42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different recipes")
	}
	if c := seeded(43); reflect.DeepEqual(a.Kinds, c.Kinds) {
		t.Fatal("different seeds gave identical bootstrap intervals")
	}
}

func TestEdgeColumns(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Panel)
		check  func(*testing.T, *Recipe)
	}{
		{"single kind", func(p *Panel) { keepKinds(p, 1) }, func(t *testing.T, r *Recipe) {
			if len(r.Kinds) != 1 || r.Kinds[0].Value <= 0 {
				t.Errorf("kinds %+v", r.Kinds)
			}
		}},
		{"all-zero kind", func(p *Panel) { setKind(p, 2, func(int, int) float64 { return 0 }) }, func(t *testing.T, r *Recipe) {
			if ke := r.Kinds[2]; ke.Value != 0 || ke.CIHigh != 0 || sumShares(ke) != 0 {
				t.Errorf("all-zero kind got %+v", ke)
			}
		}},
		{"constant kind", func(p *Panel) { setKind(p, 2, func(int, int) float64 { return 5 }) }, nil},
		{"kind appears only recently", func(p *Panel) {
			setKind(p, 2, func(r, t int) float64 { return float64(t/12) * p.Counts[r][t][0] })
		}, nil},
		{"month with no activity", func(p *Panel) {
			for r := range p.Counts {
				p.Counts[r][9] = make([]float64, len(p.Kinds))
			}
		}, nil},
		{"refunds", func(p *Panel) { p.Revenue[0][5], p.Revenue[3][10] = -4000, -2500 }, nil},
		{"nobody active in one period", func(p *Panel) {
			for r := range p.Active {
				p.Active[r][4] = false
			}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := simulate(smallSim(8))
			tc.mutate(p)
			r := fitOrFatal(t, p, Options{Bootstrap: 20})
			for _, ke := range r.Kinds {
				if ke.Value < 0 || math.IsNaN(ke.Value) {
					t.Errorf("%s: value %v", ke.Kind, ke.Value)
				}
			}
			if math.IsNaN(r.CVWAPE) || math.IsNaN(r.R2) || math.IsNaN(r.Baseline) {
				t.Errorf("NaN in recipe: %+v", r)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func keepKinds(p *Panel, n int) {
	p.Kinds = p.Kinds[:n]
	for r := range p.Counts {
		for t := range p.Counts[r] {
			p.Counts[r][t] = p.Counts[r][t][:n]
		}
	}
}

func setKind(p *Panel, k int, v func(r, t int) float64) {
	for r := range p.Counts {
		for t := range p.Counts[r] {
			p.Counts[r][t][k] = v(r, t)
		}
	}
}

func sumShares(ke KindEffect) float64 {
	s := 0.0
	for _, l := range ke.Lags {
		s += l.Share + l.CIHigh
	}
	return s
}

func TestThinDataRefused(t *testing.T) {
	tests := []struct {
		name string
		reps int
		per  int
		what string
	}{
		{"five periods", 40, 5, "periods with revenue"},
		{"few rep-periods", 3, 8, "active rep-periods"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := smallSim(1)
			c.reps, c.periods, c.churn = tc.reps, tc.per, false
			_, err := Fit(simulate(c), Options{})
			var thin *ThinDataError
			if !errors.As(err, &thin) || thin.What != tc.what {
				t.Fatalf("err = %v, want thin data on %s", err, tc.what)
			}
		})
	}
}

func TestInvalidPanel(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Panel)
	}{
		{"duplicate rep", func(p *Panel) { p.Reps[1] = p.Reps[0] }},
		{"short revenue", func(p *Panel) { p.Revenue[2] = p.Revenue[2][:3] }},
		{"negative count", func(p *Panel) { p.Counts[0][0][0] = -1 }},
		{"NaN revenue", func(p *Panel) { p.Revenue[0][1] = math.NaN() }},
		{"no kinds", func(p *Panel) { p.Kinds = nil }},
		{"bad grain", func(p *Panel) { p.Grain = "fortnight" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := simulate(smallSim(1))
			tc.mutate(p)
			if _, err := Fit(p, Options{}); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestPredictionIntervalCoverage(t *testing.T) {
	c := defaultSim(21)
	c.periods = 30
	full := simulate(c)
	train := truncatePanel(full, 24)
	rec := fitOrFatal(t, train, Options{Bootstrap: -1})
	in, n := 0, 0
	for r := range full.Reps {
		for tt := 24; tt < 30; tt++ {
			if !full.Active[r][tt] {
				continue
			}
			pr, err := rec.Predict(full.Reps[r], full.Counts[r][:tt+1], 0.8)
			if err != nil {
				t.Fatal(err)
			}
			n++
			if y := full.Revenue[r][tt]; y >= pr.Low && y <= pr.High {
				in++
			}
		}
	}
	if cov := float64(in) / float64(n); cov < 0.72 || cov > 0.88 {
		t.Fatalf("80%% interval covers %.3f of %d held-out rep-periods", cov, n)
	} else {
		t.Logf("80%% interval covers %.3f of %d held-out rep-periods", cov, n)
	}
}

// truncatePanel keeps the first n periods.
func truncatePanel(p *Panel, n int) *Panel {
	q := &Panel{Grain: p.Grain, Periods: n, Kinds: p.Kinds, Reps: p.Reps}
	for r := range p.Reps {
		q.Counts = append(q.Counts, p.Counts[r][:n])
		q.Revenue = append(q.Revenue, p.Revenue[r][:n])
		q.Active = append(q.Active, p.Active[r][:n])
	}
	return q
}

// TestPermutingKindsPermutesValues checks that no step, kind dropping included, depends on the order of the kinds.
func TestPermutingKindsPermutesValues(t *testing.T) {
	c := smallSim(10)
	c.kinds = append(c.kinds, simKind{name: "demo", value: 600, profile: []float64{0.6, 0.4}, rate: 5})
	p := simulate(c)
	base := fitOrFatal(t, p, Options{Bootstrap: -1})
	order := []int{3, 2, 0, 1}
	q := &Panel{Grain: p.Grain, Periods: p.Periods, Reps: p.Reps, Revenue: p.Revenue, Active: p.Active}
	for _, k := range order {
		q.Kinds = append(q.Kinds, p.Kinds[k])
	}
	for r := range p.Counts {
		rows := make([][]float64, p.Periods)
		for t, row := range p.Counts[r] {
			for _, k := range order {
				rows[t] = append(rows[t], row[k])
			}
		}
		q.Counts = append(q.Counts, rows)
	}
	got := fitOrFatal(t, q, Options{Bootstrap: -1})
	for i, k := range order {
		want, have := base.Kinds[k], got.Kinds[i]
		if have.Kind != want.Kind || math.Abs(have.Value-want.Value) > 1e-6*math.Max(1, want.Value) {
			t.Errorf("%s: value %v after reordering kinds, %v before", want.Kind, have.Value, want.Value)
		}
	}
}
