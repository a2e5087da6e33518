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

// BenchmarkFit16x14 fits a firm the size of the dashboards' test firm: 16 reps x 14 months.
func BenchmarkFit16x14(b *testing.B) {
	cfg := defaultSim(3)
	cfg.reps, cfg.periods = 16, 14
	p := simulate(cfg)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFit100x24 fits a 100-rep firm over 24 months.
func BenchmarkFit100x24(b *testing.B) {
	cfg := defaultSim(3)
	cfg.reps, cfg.periods = 100, 24
	p := simulate(cfg)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
