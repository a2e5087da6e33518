package salesrecipe

import "time"

// Quota is the amount a rep is expected to close in one month or quarter.
type Quota struct {
	RepID       string
	PeriodStart time.Time
	Period      Grain
	Amount      float64
}

// Validate reports every rule the quota breaks.
func (q Quota) Validate() error {
	var p problems
	p.id("rep_id", q.RepID)
	switch {
	case q.Period != GrainMonth && q.Period != GrainQuarter:
		p.add("period", string(q.Period), "want month or quarter")
		p.requiredTime("period_start", q.PeriodStart)
	case q.PeriodStart.IsZero():
		p.add("period_start", "", "required")
	case !InTimeRange(q.PeriodStart):
		p.optionalTime("period_start", q.PeriodStart)
	case !q.PeriodStart.Equal(NewPeriod(q.Period, q.PeriodStart).Start):
		p.add("period_start", formatTime(q.PeriodStart), "not the first day of a "+string(q.Period)+" at 00:00 UTC")
	}
	p.amount("amount", q.Amount)
	return p.err()
}

// Span returns the period the quota covers.
func (q Quota) Span() Period {
	return Period{Grain: q.Period, Start: q.PeriodStart}
}
