package model

import (
	"fmt"
	"math/rand/v2"
)

// Options tune the recipe fit; the zero value gives the documented defaults.
type Options struct {
	MaxLag     int        // deepest lag tried, default 6 (capped so every origin keeps two training periods)
	Lambdas    []float64  // ridge penalties tried, relative to each column's cross-product; default 0, 0.001, 0.01, 0.1
	RepShrinks []float64  // pseudo-counts (rep-periods) shrinking rep intercepts to the firm's; default 1, 4, 16, 64, 1e6
	Decays     []float64  // adstock decays tried per kind (with each delay shape); default 0.25, 0.35, 0.5, 0.65, 0.75
	Origins    int        // rolling origins (last periods predicted out of sample); default T/4 clamped to 2..6
	Bootstrap  int        // rep-cluster bootstrap replicates; default 200, negative disables
	Level      float64    // interval level, default 0.8
	Rand       *rand.Rand // randomness source; default a PCG seeded with (1, 2)
	Workers    int        // goroutines; default 2
}

// withDefaults fills unset options for a panel of t periods.
func (o Options) withDefaults(t int) (Options, error) {
	if o.MaxLag <= 0 {
		o.MaxLag = 6
	}
	if len(o.Lambdas) == 0 {
		o.Lambdas = []float64{0, 0.001, 0.01, 0.1}
	}
	if len(o.RepShrinks) == 0 {
		o.RepShrinks = []float64{1, 4, 16, 64, 1e6}
	}
	if len(o.Decays) == 0 {
		o.Decays = []float64{0.25, 0.35, 0.5, 0.65, 0.75}
	}
	if o.Origins <= 0 {
		o.Origins = min(max(t/4, 2), 6)
	}
	if o.Bootstrap == 0 {
		o.Bootstrap = 200
	}
	if o.Level == 0 {
		o.Level = 0.8
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	return o, o.check()
}

// check rejects out-of-range settings.
func (o Options) check() error {
	if o.Level <= 0 || o.Level >= 1 {
		return fmt.Errorf("model: level %v must be in (0, 1)", o.Level)
	}
	for _, v := range o.Lambdas {
		if v < 0 {
			return fmt.Errorf("model: ridge penalty %v must be >= 0", v)
		}
	}
	for _, v := range o.RepShrinks {
		if v <= 0 {
			return fmt.Errorf("model: rep shrinkage %v must be > 0", v)
		}
	}
	for _, v := range o.Decays {
		if v < 0 || v >= 1 {
			return fmt.Errorf("model: adstock decay %v must be in [0, 1)", v)
		}
	}
	return nil
}

// window returns the deepest lag W for t periods: every origin keeps two training periods.
func (o Options) window(t int) int {
	return max(0, min(o.MaxLag, t-o.Origins-2))
}

// origins returns the periods predicted out of sample, the last o.Origins.
func (o Options) origins(t int) []int {
	out := make([]int, 0, o.Origins)
	for p := t - o.Origins; p < t; p++ {
		out = append(out, p)
	}
	return out
}
