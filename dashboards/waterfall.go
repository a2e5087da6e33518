package dashboards

import (
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// The kinds of pipeline change, in waterfall order.
const (
	changeCreated    = "created"
	changePulledIn   = "pulled_in"
	changeAmountUp   = "amount_up"
	changeAmountDown = "amount_down"
	changePushedOut  = "pushed_out"
	changeWon        = "won"
	changeLost       = "lost"
)

// changeKinds lists the changes in waterfall order with their labels and the
// sign they add to the period's open pipeline.
var changeKinds = []struct {
	kind, label string
	sign        float64
}{
	{changeCreated, "Created", 1},
	{changePulledIn, "Pulled in", 1},
	{changeAmountUp, "Amount up", 1},
	{changeAmountDown, "Amount down", -1},
	{changePushedOut, "Pushed out", -1},
	{changeWon, "Won", -1},
	{changeLost, "Lost", -1},
}

// waterfall is how a period's open pipeline moved between two moments:
// Start + created + pulled in + up - down - pushed out - won - lost = End.
type waterfall struct {
	Start  float64
	End    float64
	Amount map[string]float64
	Deals  map[string]int
	StartN int
	EndN   int
}

// newWaterfall returns an empty waterfall.
func newWaterfall() *waterfall {
	return &waterfall{Amount: map[string]float64{}, Deals: map[string]int{}}
}

// dealMove is what one deal did to the period's pipeline: its amount in it at
// the start and the end, and the changes (all amounts positive).
type dealMove struct {
	start, end float64
	inStart    bool
	inEnd      bool
	changes    []move
}

// move is one change of one deal.
type move struct {
	kind   string
	amount float64
}

// classify says what a deal did to the pipeline of period between start and
// end (start = the period's start, or as-of when earlier; end = as-of capped at the period's end).
func classify(d queries.DealChange, period salesrecipe.Period, start, end time.Time) dealMove {
	in := func(s queries.DealState) bool {
		return s.Status == salesrecipe.StatusOpen && !s.CloseDate.Before(period.Start) && s.CloseDate.Before(period.End())
	}
	inS := d.Existed && in(d.Start)
	inE := in(d.End)
	closed := d.End.Status.Closed() && !d.End.ClosedAt.IsZero() && !d.End.ClosedAt.Before(start) && !d.End.ClosedAt.After(end)
	var m dealMove
	m.inStart, m.inEnd = inS, inE
	if inS {
		m.start = d.Start.Amount
		if !inE && !closed {
			m.changes = append(m.changes, move{changePushedOut, d.Start.Amount})
			return m
		}
		switch diff := d.End.Amount - d.Start.Amount; {
		case diff > 0:
			m.changes = append(m.changes, move{changeAmountUp, diff})
		case diff < 0:
			m.changes = append(m.changes, move{changeAmountDown, -diff})
		}
	} else {
		if !inE && !closed {
			return m
		}
		kind := changePulledIn
		if !d.Existed {
			kind = changeCreated
		}
		m.changes = append(m.changes, move{kind, d.End.Amount})
	}
	switch {
	case closed && d.End.Status == salesrecipe.StatusWon:
		m.changes = append(m.changes, move{changeWon, d.End.Amount})
	case closed:
		m.changes = append(m.changes, move{changeLost, d.End.Amount})
	default:
		m.end = d.End.Amount
	}
	return m
}

// add counts one deal's move.
func (w *waterfall) add(m dealMove) {
	w.Start += m.start
	w.End += m.end
	if m.inStart {
		w.StartN++
	}
	if m.inEnd {
		w.EndN++
	}
	for _, c := range m.changes {
		w.Amount[c.kind] += c.amount
		w.Deals[c.kind]++
	}
}

// balance returns Start plus every change with its sign: End, up to rounding.
func (w *waterfall) balance() float64 {
	b := w.Start
	for _, k := range changeKinds {
		b += k.sign * w.Amount[k.kind]
	}
	return b
}
