package dashboards

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

func TestClassify(t *testing.T) {
	march := salesrecipe.Period{Grain: salesrecipe.GrainMonth, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	start, end := march.Start, time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	open := func(amount float64, closeDate time.Time) queries.DealState {
		return queries.DealState{Status: salesrecipe.StatusOpen, Amount: amount, CloseDate: closeDate}
	}
	closed := func(status salesrecipe.DealStatus, amount float64, at time.Time) queries.DealState {
		return queries.DealState{Status: status, Amount: amount, CloseDate: at, ClosedAt: at}
	}
	tests := []struct {
		name       string
		deal       queries.DealChange
		start, end float64
		changes    []move
	}{
		{"stays, unchanged", queries.DealChange{Existed: true, Start: open(100, d(2026, 3, 15)), End: open(100, d(2026, 3, 25))}, 100, 100, nil},
		{"stays, amount up", queries.DealChange{Existed: true, Start: open(100, d(2026, 3, 15)), End: open(130, d(2026, 3, 15))}, 100, 130, []move{{changeAmountUp, 30}}},
		{"won with amount down", queries.DealChange{Existed: true, Start: open(100, d(2026, 3, 15)), End: closed(salesrecipe.StatusWon, 80, d(2026, 3, 10))}, 100, 0,
			[]move{{changeAmountDown, 20}, {changeWon, 80}}},
		{"lost", queries.DealChange{Existed: true, Start: open(30, d(2026, 3, 10)), End: closed(salesrecipe.StatusLost, 30, d(2026, 3, 9))}, 30, 0, []move{{changeLost, 30}}},
		{"pushed out", queries.DealChange{Existed: true, Start: open(70, d(2026, 3, 20)), End: open(70, d(2026, 4, 5))}, 70, 0, []move{{changePushedOut, 70}}},
		{"pulled in", queries.DealChange{Existed: true, Start: open(50, d(2026, 4, 10)), End: open(50, d(2026, 3, 25))}, 0, 50, []move{{changePulledIn, 50}}},
		{"created", queries.DealChange{End: open(40, d(2026, 3, 28))}, 0, 40, []move{{changeCreated, 40}}},
		{"created and won", queries.DealChange{End: closed(salesrecipe.StatusWon, 25, d(2026, 3, 4))}, 0, 0, []move{{changeCreated, 25}, {changeWon, 25}}},
		{"created for a later period", queries.DealChange{End: open(40, d(2026, 5, 1))}, 0, 0, nil},
		{"won after the end", queries.DealChange{Existed: true, Start: open(10, d(2026, 3, 30)), End: closed(salesrecipe.StatusWon, 10, d(2026, 3, 25))}, 10, 0, []move{{changePushedOut, 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := classify(tt.deal, march, start, end)
			if m.start != tt.start || m.end != tt.end || !reflect.DeepEqual(m.changes, tt.changes) {
				t.Errorf("got start %v end %v changes %+v; want %v %v %+v", m.start, m.end, m.changes, tt.start, tt.end, tt.changes)
			}
			w := newWaterfall()
			w.add(m)
			if math.Abs(w.balance()-w.End) > 1e-9 {
				t.Errorf("does not balance: start %v + changes = %v, end %v", w.Start, w.balance(), w.End)
			}
		})
	}
}
