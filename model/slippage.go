package model

import "sort"

// Slippage describes how close dates move: pushes and the gap between actual and expected close.
type Slippage struct {
	ClosedDeals    int       // closed deals behind the push figures
	PushedShare    float64   // share of closed deals whose expected close date was pushed later at least once
	MeanPushes     float64   // pushes per closed deal
	MedianPushDays float64   // median size of one push, days
	SlipQuantiles  []float64 // actual minus expected close (days) for won deals at probabilities 0.01..0.99
	SlipN          int       // observations behind SlipQuantiles: each won deal at creation and each period start while open
}

// slippage measures pushes over closed deals and slips over won ones.
func slippage(deals []dealHistory, g Grain) Slippage {
	var s Slippage
	var pushDays, slips []float64
	pushed := 0
	for _, h := range deals {
		if !h.closed() {
			continue
		}
		s.ClosedDeals++
		d := pushes(h)
		pushDays = append(pushDays, d...)
		if len(d) > 0 {
			pushed++
		}
		if h.won() {
			slips = append(slips, slipDays(h, g)...)
		}
	}
	if s.ClosedDeals > 0 {
		s.PushedShare = float64(pushed) / float64(s.ClosedDeals)
		s.MeanPushes = float64(len(pushDays)) / float64(s.ClosedDeals)
	}
	s.MedianPushDays = quantileOf(pushDays, 0.5)
	sort.Float64s(slips)
	s.SlipN = len(slips)
	if len(slips) > 0 {
		s.SlipQuantiles = Percentiles(slips)
	}
	return s
}

// pushes returns the size in days of each move of the expected close date to a later date.
func pushes(h dealHistory) []float64 {
	var out []float64
	for i := 1; i < len(h); i++ {
		a, b := h[i-1].CloseDate, h[i].CloseDate
		if !a.IsZero() && b.After(a) && h[i-1].Status == Open {
			out = append(out, b.Sub(a).Hours()/24)
		}
	}
	return out
}

// slipDays returns actual minus expected close in days, with the expectation read at creation and at each period start while open.
func slipDays(h dealHistory, g Grain) []float64 {
	closed := h.closedAt()
	var out []float64
	add := func(v DealVersion) {
		if v.Status == Open && !v.CloseDate.IsZero() {
			out = append(out, closed.Sub(v.CloseDate).Hours()/24)
		}
	}
	add(h[0])
	for p := g.End(h[0].UpdatedAt); p.Before(closed); p = g.End(p) {
		if v, ok := h.stateAt(p); ok {
			add(v)
		}
	}
	return out
}

// SlipCDF returns the share of won deals that closed no more than days after the close date expected at the time.
func (s Slippage) SlipCDF(days float64) float64 {
	q := s.SlipQuantiles
	if len(q) == 0 {
		return 0
	}
	if days < q[0] {
		return 0
	}
	if days >= q[len(q)-1] {
		return 1
	}
	i := sort.Search(len(q), func(i int) bool { return q[i] > days }) // q[i-1] <= days < q[i]
	return (float64(i) + (days-q[i-1])/(q[i]-q[i-1])) / 100
}
