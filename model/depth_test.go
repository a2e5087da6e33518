package model

import "testing"

// TestLagDepthsFollowEachKindsProfile wants every real lag kept (cutting one biases the value) and few spurious ones:
// a two-month kind gets fewer lags than a four-month one.
func TestLagDepthsFollowEachKindsProfile(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	for seed := uint64(41); seed <= 46; seed++ {
		c := defaultSim(seed)
		c.kinds = append(c.kinds, simKind{name: "proposal", value: 2000, profile: []float64{0.7, 0.3}, rate: 3})
		p := simulate(c)
		o, err := Options{}.withDefaults(p.Periods)
		if err != nil {
			t.Fatal(err)
		}
		d := newDesign(p, o.window(p.Periods))
		ls, err := d.newLagSelector()
		if err != nil {
			t.Fatal(err)
		}
		depths, err := ls.depths(o.Workers)
		if err != nil {
			t.Fatal(err)
		}
		for k, kd := range c.kinds {
			if kd.value > 0 && (depths[k] < len(kd.profile)-1 || depths[k] > len(kd.profile)+1) {
				t.Errorf("seed %d %s: depth %d, true profile reaches lag %d", seed, kd.name, depths[k], len(kd.profile)-1)
			}
		}
	}
}
