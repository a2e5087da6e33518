package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// version returns a deal version; closed is set for won and lost.
func version(id, rep, stage string, status salesrecipe.DealStatus, amount float64, created, closeDate, updated time.Time) salesrecipe.Deal {
	d := salesrecipe.Deal{ID: id, RepID: rep, AccountID: "acct-" + id, Stage: stage, Status: status, Amount: amount,
		CreatedAt: created, CloseDate: closeDate, UpdatedAt: updated}
	if status.Closed() {
		d.ClosedAt = updated
	}
	return d
}

// pipelineDeals is a March 2026 story: the period is March, start March 1, end March 20.
func pipelineDeals() []salesrecipe.Deal {
	open, won, lost := salesrecipe.StatusOpen, salesrecipe.StatusWon, salesrecipe.StatusLost
	feb := day(2, 10, 9)
	return []salesrecipe.Deal{
		version("d1", "r1", "proposal", open, 100, feb, day(3, 15, 0), feb),
		version("d1", "r1", "won", won, 120, feb, day(3, 15, 0), day(3, 10, 9)),
		version("d2", "r1", "discovery", open, 50, feb, day(4, 10, 0), feb),
		version("d2", "r1", "proposal", open, 50, feb, day(3, 25, 0), day(3, 5, 9)),
		version("d3", "r1", "proposal", open, 70, feb, day(3, 20, 0), feb),
		version("d3", "r1", "proposal", open, 70, feb, day(4, 5, 0), day(3, 6, 9)),
		version("d4", "r1", "discovery", open, 40, day(3, 3, 9), day(3, 28, 0), day(3, 3, 9)),
		version("d5", "r2", "discovery", open, 30, feb, day(3, 10, 0), feb),
		version("d5", "r2", "lost", lost, 30, feb, day(3, 10, 0), day(3, 9, 9)),
		version("d6", "r2", "discovery", open, 10, feb, day(5, 1, 0), feb),
		version("d7", "r2", "discovery", open, 25, day(3, 2, 9), day(3, 30, 0), day(3, 2, 9)),
		version("d7", "r2", "won", won, 25, day(3, 2, 9), day(3, 30, 0), day(3, 4, 9)),
		version("d8", "r1", "discovery", open, 99, day(3, 22, 9), day(3, 30, 0), day(3, 22, 9)),
	}
}

func TestPipelineReads(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	commit(t, st, queries.KindDeals, func(ctx context.Context, l *queries.Load) error {
		for _, d := range pipelineDeals() {
			l.AddDeal(d)
		}
		return nil
	})
	commit(t, st, queries.KindActivities, func(ctx context.Context, l *queries.Load) error {
		l.AddActivity(salesrecipe.Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(3, 2, 9)})
		l.AddActivity(salesrecipe.Activity{ID: "a2", RepID: "r1", Kind: "call", OccurredAt: day(3, 20, 8)})
		l.AddActivity(salesrecipe.Activity{ID: "a3", RepID: "r1", Kind: "call", OccurredAt: day(3, 20, 15)})
		l.AddActivity(salesrecipe.Activity{ID: "a4", RepID: "r2", Kind: "call", OccurredAt: day(3, 2, 9)})
		return nil
	})
	from, to, end := day(3, 1, 0), day(4, 1, 0), day(3, 20, 12)

	t.Run("changes", func(t *testing.T) {
		got, err := st.PipelineChanges(ctx, "acme", from, to, from, end)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			existed          bool
			sStatus, eStatus salesrecipe.DealStatus
			sAmount, eAmount float64
		}{
			"d1": {true, "open", "won", 100, 120},
			"d2": {true, "open", "open", 50, 50},
			"d3": {true, "open", "open", 70, 70},
			"d4": {false, "", "open", 0, 40},
			"d5": {true, "open", "lost", 30, 30},
			"d7": {false, "", "won", 0, 25},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d deals, want %d: %+v", len(got), len(want), got)
		}
		for _, c := range got {
			w, ok := want[c.DealID]
			if !ok || c.Existed != w.existed || c.Start.Status != w.sStatus || c.End.Status != w.eStatus ||
				c.Start.Amount != w.sAmount || c.End.Amount != w.eAmount {
				t.Errorf("%s: %+v, want %+v", c.DealID, c, w)
			}
		}
	})
	t.Run("stage totals", func(t *testing.T) {
		got, err := st.StageTotals(ctx, "acme", from, to, end)
		if err != nil {
			t.Fatal(err)
		}
		want := []queries.StageTotal{
			{RepID: "r1", Stage: "discovery", Deals: 1, Amount: 40, DealsInPeriod: 1, AmountInPeriod: 40},
			{RepID: "r1", Stage: "proposal", Deals: 2, Amount: 120, DealsInPeriod: 1, AmountInPeriod: 50},
			{RepID: "r2", Stage: "discovery", Deals: 1, Amount: 10},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("conversion", func(t *testing.T) {
		got, err := st.StageConversions(ctx, "acme", day(1, 1, 0), end)
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ rep, stage string }
		want := map[key]queries.StageConversion{
			{"r1", "proposal"}:  {Deals: 3, Won: 1, WonAmount: 120},
			{"r1", "won"}:       {Deals: 1, Won: 1, WonAmount: 120},
			{"r1", "discovery"}: {Deals: 2},
			{"r2", "discovery"}: {Deals: 3, Won: 1, Lost: 1, WonAmount: 25},
			{"r2", "won"}:       {Deals: 1, Won: 1, WonAmount: 25},
			{"r2", "lost"}:      {Deals: 1, Lost: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v", got)
		}
		for _, c := range got {
			w := want[key{c.RepID, c.Stage}]
			if c.Deals != w.Deals || c.Won != w.Won || c.Lost != w.Lost || c.WonAmount != w.WonAmount {
				t.Errorf("%s/%s: %+v, want %+v", c.RepID, c.Stage, c, w)
			}
		}
	})
	t.Run("rep deals and activity", func(t *testing.T) {
		deals, err := st.RepDealsAsOf(ctx, "acme", "r2", end)
		if err != nil || len(deals) != 3 || deals[0].ID != "d5" || deals[0].Status != salesrecipe.StatusLost {
			t.Fatalf("deals %+v %v", deals, err)
		}
		counts, err := st.RepActivityCounts(ctx, "acme", "r1", salesrecipe.GrainMonth, from, to, end)
		if err != nil || len(counts) != 1 || counts[0].N != 2 || counts[0].RepID != "r1" || !counts[0].Period.Equal(from) {
			t.Fatalf("counts %+v %v", counts, err)
		}
	})
}
