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

// unweightedValues refits the recipe's chosen form with every rep weighted alike: ordinary within-rep least squares.
func unweightedValues(t *testing.T, p *Panel, rec *Recipe) []float64 {
	t.Helper()
	o, err := Options{Bootstrap: -1}.withDefaults(p.Periods)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesign(p, o.window(p.Periods))
	d.w = nil
	d.accumulate()
	depth := make([]int, d.K)
	for k, ke := range rec.Kinds {
		depth[k] = len(ke.Lags) - 1
	}
	f := freeLagsDepths(depth, d.W)
	fs := d.fold(f, f.lags, d.T)
	g, h := fs.within()
	beta, err := fs.solve(g, h, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, d.K)
	for k, b := range f.lagCoefficients(beta, d.K) {
		out[k], _ = valueShares(b)
	}
	return out
}

// TestVolumeWeightsTargetTheActivityAverage checks that reps who differ in how well they convert get the firm average
// over activities: weighting each rep by the inverse of its expected revenue counts it by its activity, where
// unweighted within-rep slopes count it by the square of its activity (how much its counts vary) and miss when the
// busy reps convert worse.
func TestVolumeWeightsTargetTheActivityAverage(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	tests := []struct {
		name             string
		effSD, effVolume float64
		unweightedOff    float64 // the unweighted slopes miss at least this much on some kind (0: no claim)
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
			truth, unweighted := activityWeighted(c, p, effs), unweightedValues(t, p, rec)
			worst := 0.0
			for k, kd := range c.kinds {
				if kd.value == 0 {
					continue
				}
				got := rec.Kinds[k].Value
				t.Logf("%s: value %.1f unweighted %.1f truth %.1f", kd.name, got, unweighted[k], truth[k])
				if rel := math.Abs(got/truth[k] - 1); rel > 0.1 {
					t.Errorf("%s: value %.1f, activity-weighted truth %.1f (%.1f%% off)", kd.name, got, truth[k], 100*rel)
				}
				worst = max(worst, math.Abs(unweighted[k]/truth[k]-1))
			}
			if worst < tc.unweightedOff {
				t.Errorf("unweighted slopes within %.1f%% of the truth: the scenario does not exercise the weights", 100*worst)
			}
		})
	}
}
