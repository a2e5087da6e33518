package model

import "testing"

func TestDiag(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := defaultSim(seed)
		p := simulate(cfg)
		rec, err := Fit(p, Options{Bootstrap: -1})
		if err != nil {
			t.Fatal(err)
		}
		tot, kinds := fittedRevenue(rec, p)
		t.Logf("seed %d %s L%d lam %g tau %g V %.1f %.1f %.1f email %.3f peaks %d %d", seed, rec.Method, rec.Lags, rec.Lambda, rec.RepShrink,
			rec.Kinds[0].Value, rec.Kinds[1].Value, rec.Kinds[2].Value, kinds[2]/tot, peakLag(rec.Kinds[0]), peakLag(rec.Kinds[1]))
	}
}
