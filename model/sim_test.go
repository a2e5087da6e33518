package model

import (
	"fmt"
	"github.com/salesrecipe/salesrecipe"
	"math"
	"math/rand/v2"
)

// simKind is one simulated activity kind with its true value and delay profile.
type simKind struct {
	name    string
	value   float64
	profile []float64 // share landing after 0, 1, ... periods
	rate    float64   // mean count per rep-period
	from    int       // first period the kind is used
}

// simConfig describes a simulated firm.
type simConfig struct {
	reps, periods int
	kinds         []simKind
	baseline      float64
	repSD         float64 // sd of rep intercepts
	noise         float64 // noise sd as a share of expected revenue
	churn         bool    // reps join and leave mid-history
	effSD         float64 // lognormal sigma of a rep's efficiency, which scales the value of all its activities
	effVolume     float64 // elasticity of efficiency to the rep's activity volume (negative: busy reps convert worse)
	seed          uint64
}

// defaultSim is the recovery scenario: a fast call, a slow meeting and a worthless e-mail.
func defaultSim(seed uint64) simConfig {
	return simConfig{reps: 100, periods: 24, baseline: 1500, repSD: 1500, noise: 0.15, churn: true, seed: seed,
		kinds: []simKind{
			{name: "call", value: 150, profile: []float64{0.3, 0.5, 0.2}, rate: 40},
			{name: "meeting", value: 1200, profile: []float64{0.1, 0.2, 0.4, 0.3}, rate: 8},
			{name: "email", value: 0, profile: []float64{1}, rate: 60},
		}}
}

// simulate draws a panel; activity before period 0 exists (burn-in) but is not in the panel.
func simulate(c simConfig) *Panel {
	p, _ := simulateEff(c)
	return p
}

// simulateEff draws a panel and returns each rep's efficiency as well.
func simulateEff(c simConfig) (*Panel, []float64) {
	rng := rand.New(rand.NewPCG(c.seed, 7))
	const burn = 6
	p := &Panel{Grain: salesrecipe.GrainMonth, Periods: c.periods}
	for _, k := range c.kinds {
		p.Kinds = append(p.Kinds, k.name)
	}
	season := make([]float64, c.periods+burn)
	for t := range season {
		season[t] = 1 + 0.25*math.Sin(float64(t)*2*math.Pi/12) + 0.15*rng.NormFloat64()
	}
	effs := make([]float64, c.reps)
	for r := range c.reps {
		effs[r] = simRep(c, p, rng, season, r, burn)
	}
	return p, effs
}

// simRep draws one rep's history into p and returns the rep's efficiency.
func simRep(c simConfig, p *Panel, rng *rand.Rand, season []float64, r, burn int) float64 {
	skill := math.Exp(0.4 * rng.NormFloat64())
	eff := 1.0
	if c.effSD > 0 {
		eff = math.Pow(skill, c.effVolume) * math.Exp(c.effSD*rng.NormFloat64()-c.effSD*c.effSD/2)
	}
	start, end := -burn, c.periods
	if c.churn && rng.Float64() < 0.2 {
		start = rng.IntN(c.periods / 2)
	}
	if c.churn && rng.Float64() < 0.15 {
		end = c.periods/2 + rng.IntN(c.periods/2)
	}
	repEff := c.repSD * (0.5*rng.NormFloat64() + (skill - 1))
	counts := make([][]float64, c.periods+burn)
	for t := range counts {
		counts[t] = make([]float64, len(c.kinds))
		if t-burn < start || t-burn >= end {
			continue
		}
		for k, kd := range c.kinds {
			if t-burn >= kd.from {
				counts[t][k] = poisson(rng, kd.rate*skill*season[t]*math.Exp(0.3*rng.NormFloat64()))
			}
		}
	}
	p.Reps = append(p.Reps, fmt.Sprintf("rep%03d", r))
	cnt, rev, act := make([][]float64, c.periods), make([]float64, c.periods), make([]bool, c.periods)
	for t := range c.periods {
		cnt[t] = counts[t+burn]
		act[t] = t >= start && t < end
		if act[t] {
			e := c.baseline + repEff + eff*expected(c.kinds, counts, t+burn)
			rev[t] = e + c.noise*math.Abs(e)*rng.NormFloat64()
		}
	}
	p.Counts, p.Revenue, p.Active = append(p.Counts, cnt), append(p.Revenue, rev), append(p.Active, act)
	return eff
}

// expected is the true activity-driven revenue at full-history index t.
func expected(kinds []simKind, counts [][]float64, t int) float64 {
	e := 0.0
	for k, kd := range kinds {
		for l, s := range kd.profile {
			if t-l >= 0 {
				e += kd.value * s * counts[t-l][k]
			}
		}
	}
	return e
}

// poisson draws a Poisson count (normal approximation above 50).
func poisson(rng *rand.Rand, mean float64) float64 {
	if mean > 50 {
		return math.Max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64()))
	}
	l, k, prod := math.Exp(-mean), 0.0, rng.Float64()
	for prod > l {
		k++
		prod *= rng.Float64()
	}
	return k
}
