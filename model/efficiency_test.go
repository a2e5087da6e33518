package model

import (
	"math"
	"testing"
)

// activityWeighted returns each kind's true firm value: the activity-weighted mean over reps of efficiency times value.
func activityWeighted(c simConfig, p *Panel, effs []float64) []float64 {
	out := make([]float64, len(c.kinds))
	for k, kd := range c.kinds {
		var n, v float64
		for r := range p.Reps {
			for t := range p.Periods {
				if p.Active[r][t] {
					n += p.Counts[r][t][k]
					v += p.Counts[r][t][k] * effs[r] * kd.value
				}
			}
		}
		out[k] = v / n
	}
	return out
}

// pooledValues refits the recipe's form without rep efficiencies: the within-rep slopes alone.
func pooledValues(t *testing.T, p *Panel) []float64 {
	t.Helper()
	o, err := Options{Bootstrap: -1}.withDefaults(p.Periods)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesign(p, o.window(p.Periods))
	sr, err := d.search(&o, o.origins(p.Periods))
	if err != nil {
		t.Fatal(err)
	}
	c := sr.best
	fs := d.fold(c.f, c.f.lags, d.T)
	g, h := fs.within()
	beta, err := fs.solve(g, h, c.lambda)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, d.K)
	for k, b := range c.f.lagCoefficients(beta, d.K) {
		out[k], _ = valueShares(b)
	}
	return out
}

func TestRepEfficiencyTargetsTheActivityAverage(t *testing.T) {
	tests := []struct {
		name             string
		effSD, effVolume float64
		pooledOff        float64 // the pooled slopes miss at least this much on some kind (0: no claim)
	}{
		{"reps alike", 0, 0, 0},
		{"efficiency independent of volume", 0.3, 0, 0},
		{"busy reps convert worse", 0.1, -1.5, 0.15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := defaultSim(31)
			c.reps, c.effSD, c.effVolume = 200, tc.effSD, tc.effVolume
			p, effs := simulateEff(c)
			rec := fitOrFatal(t, p, Options{Bootstrap: -1})
			truth, pooled := activityWeighted(c, p, effs), pooledValues(t, p)
			worstPooled := 0.0
			for k, kd := range c.kinds {
				if kd.value == 0 {
					continue
				}
				got := rec.Kinds[k].Value
				t.Logf("%s: value %.1f pooled %.1f truth %.1f", kd.name, got, pooled[k], truth[k])
				if rel := math.Abs(got/truth[k] - 1); rel > 0.1 {
					t.Errorf("%s: value %.1f, activity-weighted truth %.1f (%.1f%% off)", kd.name, got, truth[k], 100*rel)
				}
				worstPooled = max(worstPooled, math.Abs(pooled[k]/truth[k]-1))
			}
			if worstPooled < tc.pooledOff {
				t.Errorf("pooled slopes within %.1f%% of the truth: the scenario does not exercise the efficiencies", 100*worstPooled)
			}
		})
	}
}

func TestRandomEffects(t *testing.T) {
	tests := []struct {
		name     string
		gs, ws   []float64
		center   float64
		tau2Low  float64
		tau2High float64
	}{
		{"none", nil, nil, 1, 0, 0},
		{"one estimate", []float64{2}, []float64{4}, 2, 0, 0},
		{"agree within noise", []float64{0.9, 1.1, 1.0, 1.05}, []float64{10, 10, 10, 10}, 1.0125, 0, 0},
		{"zero weights skipped", []float64{5, 1, 3}, []float64{0, 1, 1}, 2, 0.99, 1.01},
		{"spread beyond noise", []float64{0.5, 1.5, 0.5, 1.5}, []float64{100, 100, 100, 100}, 1, 0.3, 0.34},
	}
	for _, tc := range tests {
		center, tau2 := randomEffects(tc.gs, tc.ws)
		if math.Abs(center-tc.center) > 1e-9 || tau2 < tc.tau2Low || tau2 > tc.tau2High {
			t.Errorf("%s: center %v tau2 %v, want %v and tau2 in [%v, %v]", tc.name, center, tau2, tc.center, tc.tau2Low, tc.tau2High)
		}
	}
}
