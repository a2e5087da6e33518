package model

import "testing"

// benchPanel is 1,000 reps x 36 months x 6 kinds.
func benchPanel() *Panel {
	cfg := defaultSim(3)
	cfg.reps, cfg.periods = 1000, 36
	cfg.kinds = append(cfg.kinds,
		simKind{name: "demo", value: 900, profile: []float64{0, 0.5, 0.5}, rate: 3},
		simKind{name: "proposal", value: 2000, profile: []float64{0.6, 0.4}, rate: 2},
		simKind{name: "linkedin", value: 20, profile: []float64{0.2, 0.2, 0.2, 0.2, 0.2}, rate: 30})
	return simulate(cfg)
}

func BenchmarkFit1000x36x6(b *testing.B) {
	p := benchPanel()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
