package model

import (
	"math"
	"time"
)

// closeTally accumulates weighted snapshots of open deals: how many and how many were won by period end.
type closeTally struct {
	obs, won []float64 // per days-left bucket
}

// closeRates fills each stage's chance of a win by period end from daily snapshots of open deals in fully elapsed periods.
func (m *StageModel) closeRates(deals []dealHistory) {
	nb := (maxPeriodDays(m.Grain) + m.BucketDays - 1) / m.BucketDays
	tallies := make([]closeTally, len(m.Stages))
	for i := range tallies {
		tallies[i] = closeTally{obs: make([]float64, nb), won: make([]float64, nb)}
	}
	for _, h := range deals {
		m.snapshots(h, tallies)
	}
	all := closeTally{obs: make([]float64, nb), won: make([]float64, nb)}
	for _, t := range tallies {
		axpy(all.obs, t.obs, 1)
		axpy(all.won, t.won, 1)
	}
	for i := range m.Stages {
		m.Stages[i].CloseRates = m.rates(tallies[i], all)
	}
}

// snapshots adds one weighted observation per day the deal was open, in periods that ended by the as-of moment.
func (m *StageModel) snapshots(h dealHistory, tallies []closeTally) {
	start := h[0].UpdatedAt
	if c := h[0].CreatedAt; !c.IsZero() && c.Before(start) {
		start = c
	}
	won, closedAt := h.won(), h.closedAt()
	w := 1 / float64(m.BucketDays)
	for p := m.Grain.Start(start); ; p = m.Grain.End(p) {
		end := m.Grain.End(p)
		if end.After(m.AsOf) || (h.closed() && !p.Before(closedAt)) {
			return
		}
		for day := p; day.Before(end); day = day.AddDate(0, 0, 1) {
			v, ok := h.stateAt(day)
			if !ok || v.Status != Open {
				continue
			}
			b := m.bucket(daysBetween(day, end))
			t := tallies[m.stageIndex(v.Stage)]
			t.obs[b] += w
			if won && closedAt.Before(end) {
				t.won[b] += w
			}
		}
	}
}

// rates shrinks a stage's bucket shares toward all stages' shares for the same bucket.
func (m *StageModel) rates(t, all closeTally) []CloseRate {
	out := make([]CloseRate, len(t.obs))
	for b := range out {
		prior := 0.0
		if all.obs[b] > 0 {
			prior = all.won[b] / all.obs[b]
		}
		out[b] = CloseRate{DaysLeftMin: b*m.BucketDays + 1, DaysLeftMax: (b + 1) * m.BucketDays,
			Observations: t.obs[b], Rate: shrink(t.won[b], t.obs[b], prior, m.PriorStrength)}
	}
	return out
}

// bucket returns the days-left bucket of d >= 1 days.
func (m *StageModel) bucket(d int) int {
	return max(0, (d-1)/m.BucketDays)
}

// CloseProbability returns the chance that an open deal in stage is won by the end of the period, with daysLeft days left.
func (m *StageModel) CloseProbability(stage string, daysLeft float64) float64 {
	if daysLeft <= 0 {
		return 0
	}
	i := m.stageIndex(stage)
	if i < 0 || len(m.Stages[i].CloseRates) == 0 {
		return 0
	}
	rates := m.Stages[i].CloseRates
	b := min(m.bucket(int(math.Ceil(daysLeft))), len(rates)-1)
	return rates[b].Rate
}

// daysBetween returns the whole days from a to b.
func daysBetween(a, b time.Time) int {
	return int(math.Round(b.Sub(a).Hours() / 24))
}

// maxPeriodDays is the longest period of a grain in days.
func maxPeriodDays(g Grain) int {
	switch g {
	case Week:
		return 7
	case Quarter:
		return 92
	}
	return 31
}
