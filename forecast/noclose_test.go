package forecast

import (
	"math"
	"testing"
	"time"
)

// TestDealWithoutCloseDate checks that an open deal without an expected close date is expected in no particular
// period: its chance ignores the close-date inputs (it is the same whatever date a close would have had), is never
// cut as stale, and is not that of a deal expected in 1970.
func TestDealWithoutCloseDate(t *testing.T) {
	stages := []string{"a", "b"}
	w := &WinModel{Stages: stages, AmountRef: 1000, Coef: make([]float64, stageBlocks*len(stages)+winInputs)}
	for i := range w.Coef {
		w.Coef[i] = 0.3 * math.Sin(float64(i+1)) // every input matters
	}
	m := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC).Unix()
	end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).Unix()
	length := float64(31 * 86400)
	base := dealAt{stage: 1, amount: 2000, created: m - 40*86400, stageSince: m - 10*86400, noClose: true}
	p := w.prob(base, m, end, length)
	if !(p > 0 && p < 1) {
		t.Fatalf("chance %v, want inside (0, 1)", p)
	}
	for _, close := range []int64{-1 << 40, 0, m, end, end + 400*86400} {
		d := base
		d.closeDate = close
		if got := w.prob(d, m, end, length); got != p {
			t.Errorf("close date %d: chance %v, want %v (the date is unknown)", close, got, p)
		}
	}
	in1970 := base
	in1970.noClose = false
	if w.prob(in1970, m, end, length) != 0 {
		t.Error("a deal expected in 1970 is not cut as stale; the test no longer tells the two apart")
	}
	da := dealAtOf(openDeal{Stage: "b", Amount: 2000, Created: time.Unix(base.created, 0)}, 1, time.Unix(m, 0))
	if !da.noClose {
		t.Error("dealAtOf: an open deal with a zero CloseDate has a close date")
	}
}
