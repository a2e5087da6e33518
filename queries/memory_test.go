package queries_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// TestMemoryAnswersAsTheStore is the contract of querytest.Memory, on which the forecast package
// tests its logic without the engine: loaded with the same rows (reps, stages and quotas loaded
// twice with changes), the store and the memory give the same reps, stages, quotas, activity
// counts, period deals and firm data at several moments and grains, and the same latest recipe.
func TestMemoryAnswersAsTheStore(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	mem := querytest.NewMemory()
	ctx := context.Background()
	deals, acts := smallFirm(5)
	loadBoth(t, st, mem, deals, acts)
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) { // times compare by value, not by their *time.Location
			t.Fatalf("%s differ:\nstore  %+v\nmemory %+v", what, got, want)
		}
	}
	reps, err := st.Reps(ctx, "acme")
	want, _ := mem.Reps(ctx, "acme")
	check("reps", reps, want, err)
	stages, err := st.Stages(ctx, "acme")
	wantStages, _ := mem.Stages(ctx, "acme")
	check("stages", stages, wantStages, err)
	quotas, err := st.Quotas(ctx, "acme", day(1, 1, 7), day(3, 1, 0))
	wantQuotas, _ := mem.Quotas(ctx, "acme", day(1, 1, 7), day(3, 1, 0))
	check("quotas", quotas, wantQuotas, err)
	if len(reps) < 3 || len(stages) < 3 || len(quotas) < 3 {
		t.Fatalf("too little to compare: %d reps, %d stages, %d quotas", len(reps), len(stages), len(quotas))
	}
	moments := []time.Time{day(1, 31, 23).Add(59*time.Minute + 1234*time.Millisecond), day(2, 17, 5).Add(17 * time.Minute), day(3, 9, 0), day(4, 2, 0)}
	for _, at := range moments {
		for _, g := range []salesrecipe.Grain{salesrecipe.GrainWeek, salesrecipe.GrainMonth, salesrecipe.GrainQuarter} {
			from, to := day(1, 3, 9), at.AddDate(0, 0, 10)
			got, err := st.ActivityCounts(ctx, "acme", g, from, to, at)
			want, _ := mem.ActivityCounts(ctx, "acme", g, from, to, at)
			check(fmt.Sprintf("activity counts by %s as of %s", g, at), got, want, err)
		}
		p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, at)
		got, err := st.PeriodDeals(ctx, "acme", p.Prev().Start, p.End(), at)
		if err != nil {
			t.Fatal(err)
		}
		wantDeals, _ := mem.PeriodDeals(ctx, "acme", p.Prev().Start, p.End(), at)
		compareFirmData(t, at, got, wantDeals)
		got, err = st.FirmData(ctx, "acme", at, moments)
		if err != nil {
			t.Fatal(err)
		}
		wantData, _ := mem.FirmData(ctx, "acme", at, moments)
		compareFirmData(t, at, got, wantData)
	}
	checkRecipes(t, st, mem)
}

// loadBoth loads the same rows into the store and the memory, reps, stages and quotas twice with
// changes in the second load.
func loadBoth(t *testing.T, st *queries.Store, mem *querytest.Memory, deals []salesrecipe.Deal, acts []salesrecipe.Activity) {
	t.Helper()
	for v := range 2 {
		var reps []salesrecipe.Rep
		var quotas []salesrecipe.Quota
		for i := range 6 - v {
			reps = append(reps, salesrecipe.Rep{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Rep %d v%d", i, v), Team: []string{"East", "West"}[(i+v)%2]})
			for m := 1; m <= 3; m++ {
				quotas = append(quotas, salesrecipe.Quota{RepID: fmt.Sprintf("r%d", i), PeriodStart: day(time.Month(m), 1, 0), Period: salesrecipe.GrainMonth,
					Amount: float64(10000*(i+1) + 500*v)})
			}
		}
		quotas = append(quotas, salesrecipe.Quota{RepID: "r1", PeriodStart: day(1, 1, 0), Period: salesrecipe.GrainQuarter, Amount: 90000.5})
		stages := []salesrecipe.Stage{{Name: "discovery", Position: 1, Probability: 0.1, Category: salesrecipe.CategoryPipeline},
			{Name: "proposal", Position: 3 - v, Probability: 0.4 + 0.1*float64(v), Category: salesrecipe.CategoryBestCase},
			{Name: "demo", Position: 2 + v, Probability: 0.25, Category: salesrecipe.CategoryPipeline}}
		commit(t, st, queries.KindReps, func(_ context.Context, l *queries.Load) error {
			for _, r := range reps {
				l.AddRep(r)
			}
			return nil
		})
		commit(t, st, queries.KindQuotas, func(_ context.Context, l *queries.Load) error {
			for _, q := range quotas {
				l.AddQuota(q)
			}
			return nil
		})
		commit(t, st, queries.KindStages, func(_ context.Context, l *queries.Load) error {
			for _, s := range stages {
				l.AddStage(s)
			}
			return nil
		})
		mem.AddReps("acme", reps...)
		mem.AddQuotas("acme", quotas...)
		mem.AddStages("acme", stages...)
	}
	loadHistory(t, st, deals, acts)
	mem.AddDeals("acme", deals...)
	mem.AddActivities("acme", acts...)
}

// loadHistory loads deal versions and activities into the store.
func loadHistory(t *testing.T, st *queries.Store, deals []salesrecipe.Deal, acts []salesrecipe.Activity) {
	t.Helper()
	commit(t, st, queries.KindDeals, func(_ context.Context, l *queries.Load) error {
		for _, d := range deals {
			l.AddDeal(d)
		}
		return nil
	})
	commit(t, st, queries.KindActivities, func(_ context.Context, l *queries.Load) error {
		for _, a := range acts {
			l.AddActivity(a)
		}
		return nil
	})
}

// checkRecipes saves the same fits to the store and the memory and compares the latest at moments
// before, between and after them.
func checkRecipes(t *testing.T, st *queries.Store, mem *querytest.Memory) {
	t.Helper()
	ctx := context.Background()
	for i, asOf := range []time.Time{day(2, 1, 0), day(3, 1, 0), day(3, 1, 0)} {
		r := queries.StoredRecipe{Firm: "acme", Grain: "month", FittedAt: day(4, 1, i).Add(123456789 * time.Nanosecond), AsOf: asOf.Add(987654321 * time.Nanosecond),
			DataFrom: day(1, 1, 5), DataTo: asOf, Method: "ridge", Observations: uint32(100 + i), CVWAPE: 0.25 + float64(i)/100, Body: fmt.Sprintf(`{"fit":%d}`, i)}
		if err := st.SaveRecipe(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := mem.SaveRecipe(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{day(1, 20, 0), day(2, 1, 0), day(2, 20, 0), day(3, 5, 0)} {
		for _, grain := range []string{"month", "week"} {
			got, ok, err := st.LatestRecipe(ctx, "acme", grain, at)
			if err != nil {
				t.Fatal(err)
			}
			want, wantOK, _ := mem.LatestRecipe(ctx, "acme", grain, at)
			if ok != wantOK || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("latest %s recipe as of %s differs:\nstore  %v %+v\nmemory %v %+v", grain, at, ok, got, wantOK, want)
			}
		}
	}
}
