package model

import (
	"math"
	"testing"
)

func TestRecovery(t *testing.T) {
	cfg := defaultSim(11)
	p := simulate(cfg)
	rec, err := Fit(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("method %s lags %d lambda %g tau %g cvwape %.3f r2 %.3f", rec.Method, rec.Lags, rec.Lambda, rec.RepShrink, rec.CVWAPE, rec.R2)
	fittedTotal, kindTotal := fittedRevenue(rec, p)
	for k, kd := range cfg.kinds {
		ke := rec.Kinds[k]
		t.Logf("%s: V %.1f [%.1f, %.1f] truth %.1f shares %v", ke.Kind, ke.Value, ke.CILow, ke.CIHigh, kd.value, ke.Lags)
		if kd.value == 0 {
			if share := kindTotal[k] / fittedTotal; share > 0.03 {
				t.Errorf("%s: zero-effect kind gets %.1f%% of fitted revenue", kd.name, 100*share)
			}
			continue
		}
		if rel := math.Abs(ke.Value-kd.value) / kd.value; rel > 0.15 {
			t.Errorf("%s: value %.1f, truth %.1f (%.0f%% off)", kd.name, ke.Value, kd.value, 100*rel)
		}
		if got, want := peakLag(ke), argmax(kd.profile); got != want {
			t.Errorf("%s: peak lag %d, truth %d", kd.name, got, want)
		}
	}
}

// fittedRevenue returns the total fitted revenue over the panel and the part each kind contributes.
func fittedRevenue(rec *Recipe, p *Panel) (float64, []float64) {
	total, kinds := 0.0, make([]float64, len(p.Kinds))
	for r := range p.Reps {
		for t := 0; t < p.Periods; t++ {
			if !p.active(r, t) {
				continue
			}
			total += rec.Baseline + rec.RepEffect(p.Reps[r])
			for k := range p.Kinds {
				for l := 0; l <= t && l < len(rec.Kinds[k].Lags); l++ {
					v := p.Counts[r][t-l][k] * rec.coefficient(k, l)
					total += v
					kinds[k] += v
				}
			}
		}
	}
	return total, kinds
}

func peakLag(ke KindEffect) int {
	best := 0
	for l, s := range ke.Lags {
		if s.Share > ke.Lags[best].Share {
			best = l
		}
	}
	return best
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
