package queries_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// testPlan is a valid plan of rep r1 from a month, saved at a time by a user.
func testPlan(from time.Time, months int, saved time.Time, by string, amount float64) salesrecipe.Plan {
	return salesrecipe.Plan{RepID: "r1", From: from, Months: months, Multiple: 3, SavedAt: saved, SavedBy: by,
		Accounts:   []salesrecipe.PlanAccount{{Account: "Initech", Amount: amount, CloseQuarter: "2026-Q4"}},
		Objectives: []salesrecipe.PlanObjective{{Kind: "call", PerMonth: 40}, {Kind: "meeting", PerMonth: 0}},
		Training:   []salesrecipe.PlanTraining{{Topic: "Negotiation", Date: "2026-08-12", Owner: "Max"}},
		Goals:      []string{"Run a half marathon", "Mentor a new rep"}}
}

func TestPlansKeepEveryVersion(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	jul := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	first, second := testPlan(jul, 6, t1, "Ray Rep", 100000), testPlan(jul, 6, t2, "Max Manager", 150000)
	for _, p := range []salesrecipe.Plan{first, second, second} { // the last is a retried insert
		if err := st.SavePlan(ctx, "acme", p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.PlanVersions(ctx, "acme", "r1", jul, t2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []salesrecipe.Plan{second, first}) {
		t.Errorf("versions = %+v\nwant the second then the first: %+v", got, []salesrecipe.Plan{second, first})
	}
	before, err := st.PlanVersions(ctx, "acme", "r1", jul, t2.Add(-time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || !before[0].SavedAt.Equal(t1) {
		t.Errorf("versions as of before the second save = %+v, want the first only", before)
	}
	for _, other := range []struct{ firm, rep string }{{"globex", "r1"}, {"acme", "r2"}} {
		got, err := st.PlanVersions(ctx, other.firm, other.rep, jul, t2)
		if err != nil || len(got) != 0 {
			t.Errorf("versions of %s/%s = %v, %v; want none", other.firm, other.rep, got, err)
		}
	}
}

func TestPlanCovering(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	jan, jul := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	saved := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	plans := []salesrecipe.Plan{
		testPlan(jan, 6, saved, "a", 1000),
		testPlan(jul, 6, saved, "a", 2000),
		testPlan(jul, 3, saved.Add(time.Minute), "a", 3000), // the latest version of July's plan spans 3 months only
	}
	for _, p := range plans {
		if err := st.SavePlan(ctx, "acme", p); err != nil {
			t.Fatal(err)
		}
	}
	now := saved.Add(time.Hour)
	tests := []struct {
		month time.Time
		asOf  time.Time
		want  float64 // the covering plan's planned pipeline; 0 for none
	}{
		{time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC), now, 0},
		{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), now, 1000},
		{time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), now, 1000},
		{time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), now, 3000},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), now, 0},                       // the latest July version ends in September
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), saved.Add(time.Second), 2000}, // as it stood before that save
		{time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), saved.Add(-time.Second), 0},
	}
	for _, tt := range tests {
		p, ok, err := st.PlanCovering(ctx, "acme", "r1", tt.month, tt.asOf)
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		if ok {
			got = p.PlannedPipeline()
		}
		if got != tt.want {
			t.Errorf("plan covering %s as of %s: pipeline %v, want %v", tt.month.Format(time.DateOnly), tt.asOf.Format(time.DateTime), got, tt.want)
		}
	}
}

func TestSavePlanRefusesAnInvalidPlan(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	p := testPlan(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), 6, time.Now(), "a", 1000)
	p.Accounts[0].Amount = -1
	var ve *salesrecipe.ValidationError
	if err := st.SavePlan(context.Background(), "acme", p); !errors.As(err, &ve) {
		t.Errorf("SavePlan of a negative amount = %v, want a validation error", err)
	}
	p = testPlan(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), 6, time.Time{}, "a", 1000)
	if err := st.SavePlan(context.Background(), "acme", p); err == nil {
		t.Error("SavePlan without saved_at succeeded")
	}
}

// TestSavesOfOneMillisecondAreKept saves two different plans, and two different contest versions, in the same
// millisecond by the same user, each twice (a retried insert), beside a plan row stored before migration 0013:
// after the table merges everything it can (OPTIMIZE ... FINAL), every different version is still there, once.
func TestSavesOfOneMillisecondAreKept(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	jul := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC)
	err := st.Conn().Exec(ctx, "INSERT INTO plans (firm, rep_id, from_month, months, multiple, saved_at, saved_by, plan) "+
		`VALUES ('acme', 'r1', '2026-07-01', 6, 3, '2026-06-20 08:00:00', 'Old Save', '{"accounts":[],"objectives":[],"training":[],"goals":["old"]}')`)
	if err != nil {
		t.Fatal(err)
	}
	a, b := testPlan(jul, 6, at, "Ray Rep", 100000), testPlan(jul, 6, at, "Ray Rep", 150000)
	ca := salesrecipe.Contest{Firm: "acme", ID: "c1", Name: "Blitz", Period: "2026-07", From: jul, To: jul.AddDate(0, 1, -1),
		Metric: salesrecipe.MetricNewPipeline, Teams: []string{"East"}, SavedAt: at, SavedBy: "Max Manager"}
	cb := ca
	cb.Name = "Blitz (renamed)"
	for _, p := range []salesrecipe.Plan{a, b, a, b} {
		if err := st.SavePlan(ctx, "acme", p); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []salesrecipe.Contest{ca, cb, ca, cb} {
		if err := st.SaveContest(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"plans", "contest_versions"} {
		if err := st.Conn().Exec(ctx, "OPTIMIZE TABLE "+table+" FINAL"); err != nil {
			t.Fatal(err)
		}
	}
	var rows uint64
	if err := st.Conn().QueryRow(ctx, "SELECT (SELECT count() FROM plans) + (SELECT count() FROM contest_versions)").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	plans, err := st.PlanVersions(ctx, "acme", "r1", jul, at)
	if err != nil {
		t.Fatal(err)
	}
	var amounts []float64
	for _, p := range plans {
		amounts = append(amounts, p.PlannedPipeline())
	}
	contests, err := st.ContestVersions(ctx, "acme", "c1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range contests {
		names = append(names, c.Name)
	}
	slices.Sort(amounts)
	slices.Sort(names)
	if rows != 5 || !slices.Equal(amounts, []float64{0, 100000, 150000}) || !slices.Equal(names, []string{"Blitz", "Blitz (renamed)"}) {
		t.Errorf("after merging: %d rows, plan versions of %v, contest versions %q; want 5 rows: the old plan, both plans and both contests once", rows, amounts, names)
	}
}
