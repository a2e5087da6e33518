package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// day returns a UTC time on a day of 2026.
func day(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, time.UTC)
}

// commit loads rows of one kind through the real load path.
func commit(t testing.TB, st *queries.Store, kind queries.Kind, add func(context.Context, *queries.Load) error) queries.LoadResult {
	t.Helper()
	ctx := context.Background()
	l, err := st.BeginLoad(ctx, kind, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := add(ctx, l); err != nil {
		t.Fatal(err)
	}
	res, err := l.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPointInTimeReads(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	asOf := day(3, 10, 12)
	deal := salesrecipe.Deal{ID: "d1", RepID: "r1", AccountID: "c1", Stage: "proposal", Status: salesrecipe.StatusOpen,
		Amount: 1000, CreatedAt: day(2, 1, 9), CloseDate: day(3, 20, 0), UpdatedAt: day(2, 1, 9)}
	won := deal
	won.Stage, won.Status, won.ClosedAt, won.UpdatedAt, won.Amount = "closed_won", salesrecipe.StatusWon, day(3, 5, 10), day(3, 5, 10), 1200.50
	acts := []salesrecipe.Activity{
		{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(3, 9, 15)},
		{ID: "a2", RepID: "r1", Kind: "call", OccurredAt: day(3, 10, 9)},  // as_of's day, before as_of
		{ID: "a3", RepID: "r1", Kind: "call", OccurredAt: day(3, 10, 15)}, // as_of's day, after as_of
	}
	commit(t, st, queries.KindDeals, func(ctx context.Context, l *queries.Load) error {
		l.AddDeal(deal)
		l.AddDeal(won)
		return nil
	})
	commit(t, st, queries.KindActivities, func(ctx context.Context, l *queries.Load) error {
		for _, a := range acts {
			l.AddActivity(a)
		}
		return nil
	})
	read := func() (float64, uint64, salesrecipe.DealStatus) {
		rev, err := st.WonRevenue(ctx, "acme", salesrecipe.GrainMonth, day(1, 1, 0), day(12, 1, 0), asOf)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := st.ActivityCounts(ctx, "acme", salesrecipe.GrainMonth, day(1, 1, 0), day(12, 1, 0), asOf)
		if err != nil {
			t.Fatal(err)
		}
		deals, err := st.DealsAsOf(ctx, "acme", asOf)
		if err != nil || len(deals) != 1 {
			t.Fatalf("deals %v %v", deals, err)
		}
		var sum float64
		for _, r := range rev {
			sum += r.Amount
		}
		var n uint64
		for _, c := range counts {
			n += c.N
		}
		return sum, n, deals[0].Status
	}
	rev, n, status := read()
	if rev != 1200.50 || n != 2 || status != salesrecipe.StatusWon {
		t.Fatalf("as of %v: revenue %v, activities %d, status %s", asOf, rev, n, status)
	}
	// Data from after as_of (a refund, more activity) changes nothing as of then.
	lost := won
	lost.Status, lost.Stage, lost.UpdatedAt, lost.ClosedAt = salesrecipe.StatusLost, "closed_lost", day(4, 2, 0), day(4, 2, 0)
	commit(t, st, queries.KindDeals, func(ctx context.Context, l *queries.Load) error { l.AddDeal(lost); return nil })
	commit(t, st, queries.KindActivities, func(ctx context.Context, l *queries.Load) error {
		l.AddActivity(salesrecipe.Activity{ID: "a4", RepID: "r1", Kind: "demo", OccurredAt: day(3, 11, 9)})
		return nil
	})
	if rev2, n2, status2 := read(); rev2 != rev || n2 != n || status2 != status {
		t.Fatalf("later data changed the past: revenue %v->%v, activities %d->%d, status %s->%s", rev, rev2, n, n2, status, status2)
	}
	versions, err := st.DealVersions(ctx, "acme", day(12, 1, 0))
	if err != nil || len(versions) != 3 || versions[2].Status != salesrecipe.StatusLost {
		t.Fatalf("versions %+v %v", versions, err)
	}
	now, err := st.WonRevenue(ctx, "acme", salesrecipe.GrainMonth, day(1, 1, 0), day(12, 1, 0), day(12, 1, 0))
	if err != nil || len(now) != 0 {
		t.Fatalf("a refunded deal still counts as won: %+v %v", now, err)
	}
}

func TestRepsQuotasStagesLatestWins(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	rep := salesrecipe.Rep{ID: "r1", Name: "Ann", Team: "East"}
	res := commit(t, st, queries.KindReps, func(ctx context.Context, l *queries.Load) error { l.AddRep(rep); return nil })
	if res.Loaded != 1 {
		t.Fatalf("%+v", res)
	}
	res = commit(t, st, queries.KindReps, func(ctx context.Context, l *queries.Load) error { l.AddRep(rep); return nil })
	if res.Loaded != 0 || res.Duplicates != 1 {
		t.Fatalf("same rep again: %+v", res)
	}
	rep.Team = "West"
	commit(t, st, queries.KindReps, func(ctx context.Context, l *queries.Load) error { l.AddRep(rep); return nil })
	reps, err := st.Reps(ctx, "acme")
	if err != nil || len(reps) != 1 || reps[0].Team != "West" {
		t.Fatalf("reps %+v %v", reps, err)
	}
	q := salesrecipe.Quota{RepID: "r1", Period: salesrecipe.GrainMonth, PeriodStart: day(3, 1, 0), Amount: 50000}
	commit(t, st, queries.KindQuotas, func(ctx context.Context, l *queries.Load) error { l.AddQuota(q); return nil })
	quotas, err := st.Quotas(ctx, "acme", day(1, 1, 0), day(12, 1, 0))
	if err != nil || len(quotas) != 1 || quotas[0].Amount != 50000 || !quotas[0].PeriodStart.Equal(q.PeriodStart) {
		t.Fatalf("quotas %+v %v", quotas, err)
	}
	stage := salesrecipe.Stage{Name: "proposal", Position: 3, Probability: 0.5, Category: salesrecipe.CategoryBestCase}
	commit(t, st, queries.KindStages, func(ctx context.Context, l *queries.Load) error { l.AddStage(stage); return nil })
	stages, err := st.Stages(ctx, "acme")
	if err != nil || len(stages) != 1 || stages[0] != stage {
		t.Fatalf("stages %+v %v", stages, err)
	}
}

// Unknown reps count each staged identity once, whether the load stages an
// activity twice (counted with FINAL) or each once (counted without).
func TestUnknownRepsAreCounted(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	commit(t, st, queries.KindReps, func(ctx context.Context, l *queries.Load) error {
		l.AddRep(salesrecipe.Rep{ID: "r1", Name: "Ann"})
		return nil
	})
	for _, tc := range []struct {
		name string
		ids  []string
	}{
		{"each activity once", []string{"a0", "a1", "a2", "a3"}},
		{"an activity staged twice as it is", []string{"a0", "a1", "a1", "a2", "a3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := st.BeginLoad(ctx, queries.KindActivities, "acme")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Abort(ctx)
			reps := map[string]string{"a0": "r1", "a1": "r2", "a2": "r2", "a3": "r3"}
			for _, id := range tc.ids {
				l.AddActivity(salesrecipe.Activity{ID: id, RepID: reps[id], Kind: "call", OccurredAt: day(3, 1, 9)})
			}
			rows, unknown, err := l.UnknownReps(ctx)
			if err != nil || rows != 3 || unknown != 2 {
				t.Fatalf("unknown reps: %d rows, %d reps, %v", rows, unknown, err)
			}
		})
	}
}

// Rows repeated as they are within one load are stored once; repeats that
// differ are conflicts (commit_test.go).
func TestRepeatsWithinOneLoad(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	res := commit(t, st, queries.KindActivities, func(ctx context.Context, l *queries.Load) error {
		l.AddActivity(salesrecipe.Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(3, 2, 9)})
		l.AddActivity(salesrecipe.Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(3, 2, 9)})
		l.AddActivity(salesrecipe.Activity{ID: "a2", RepID: "r1", Kind: "email", OccurredAt: day(4, 2, 9)})
		return nil
	})
	if res.Loaded != 2 || res.Duplicates != 1 {
		t.Fatalf("%+v", res)
	}
	counts, err := st.ActivityCounts(ctx, "acme", salesrecipe.GrainMonth, day(1, 1, 0), day(12, 1, 0), day(12, 1, 0))
	if err != nil || len(counts) != 2 || counts[0].Kind != "call" || counts[1].Kind != "email" {
		t.Fatalf("a repeated activity must count once: %+v %v", counts, err)
	}
	commit(t, st, queries.KindReps, func(ctx context.Context, l *queries.Load) error {
		l.AddRep(salesrecipe.Rep{ID: "r1", Name: "Ann", Team: "West"})
		l.AddRep(salesrecipe.Rep{ID: "r1", Name: "Ann", Team: "West"})
		return nil
	})
	reps, err := st.Reps(ctx, "acme")
	if err != nil || len(reps) != 1 || reps[0].Team != "West" {
		t.Fatalf("a repeated rep must be stored once: %+v %v", reps, err)
	}
}
