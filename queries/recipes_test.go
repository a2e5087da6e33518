package queries_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

func TestLatestRecipeIsTheNewestFitKnownAtTheTime(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	fits := []queries.StoredRecipe{
		{Firm: "acme", Grain: "month", FittedAt: day(3, 2, 9), AsOf: day(3, 1, 0), DataFrom: day(1, 1, 0), DataTo: day(3, 1, 0), Method: "adstock", Observations: 40, CVWAPE: 0.5, Body: `{"v":1}`},
		{Firm: "acme", Grain: "month", FittedAt: day(4, 2, 9), AsOf: day(4, 1, 0), DataFrom: day(1, 1, 0), DataTo: day(4, 1, 0), Method: "free-lags", Observations: 50, CVWAPE: 0.4, Body: `{"v":2}`},
		{Firm: "acme", Grain: "month", FittedAt: day(4, 3, 9), AsOf: day(3, 1, 0), DataFrom: day(1, 1, 0), DataTo: day(3, 1, 0), Method: "adstock", Observations: 40, CVWAPE: 0.45, Body: `{"v":3}`},
		{Firm: "acme", Grain: "quarter", FittedAt: day(5, 1, 9), AsOf: day(5, 1, 0), Body: `{"v":4}`},
		{Firm: "other", Grain: "month", FittedAt: day(5, 1, 9), AsOf: day(5, 1, 0), Body: `{"v":5}`},
	}
	for _, f := range fits {
		if err := st.SaveRecipe(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveRecipe(ctx, fits[0]); err != nil { // the same fit twice counts once
		t.Fatal(err)
	}
	tests := []struct {
		asOf   time.Time
		want   string
		wantOK bool
	}{
		{day(2, 1, 0), "", false},
		{day(3, 15, 0), `{"v":3}`, true}, // the newer of the two fits as of March 1
		{day(4, 1, 0), `{"v":2}`, true},
		{day(12, 1, 0), `{"v":2}`, true},
	}
	for _, tt := range tests {
		r, ok, err := st.LatestRecipe(ctx, "acme", "month", tt.asOf)
		if err != nil || ok != tt.wantOK || r.Body != tt.want {
			t.Errorf("as of %v: %q %v %v, want %q %v", tt.asOf, r.Body, ok, err, tt.want, tt.wantOK)
		}
	}
	r, _, _ := st.LatestRecipe(ctx, "acme", "month", day(4, 1, 0))
	if r.Method != "free-lags" || r.Observations != 50 || r.CVWAPE != 0.4 || !r.DataTo.Equal(day(4, 1, 0)) || !r.FittedAt.Equal(day(4, 2, 9)) {
		t.Errorf("fields did not round-trip: %+v", r)
	}
	all, err := st.Recipes(ctx, "acme")
	if err != nil || len(all) != 4 {
		t.Fatalf("recipes: %d %v", len(all), err)
	}
}

func TestPeriodDealsAsOf(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	open := salesrecipe.Deal{ID: "d1", RepID: "r1", Stage: "proposal", Status: salesrecipe.StatusOpen, Amount: 500,
		CreatedAt: day(2, 1, 9), CloseDate: day(3, 20, 0), UpdatedAt: day(2, 1, 9)}
	moved := open
	moved.Stage, moved.CloseDate, moved.UpdatedAt = "negotiation", day(4, 10, 0), day(3, 1, 9)
	won := moved
	won.Stage, won.Status, won.ClosedAt, won.UpdatedAt = "closed_won", salesrecipe.StatusWon, day(3, 5, 0), day(3, 5, 0)
	other := salesrecipe.Deal{ID: "d2", RepID: "r2", Stage: "discovery", Status: salesrecipe.StatusOpen, Amount: 900,
		CreatedAt: day(3, 2, 9), CloseDate: day(5, 1, 0), UpdatedAt: day(3, 2, 9)}
	lost := salesrecipe.Deal{ID: "d3", RepID: "r2", Stage: "closed_lost", Status: salesrecipe.StatusLost, Amount: 100,
		CreatedAt: day(1, 2, 9), CloseDate: day(3, 1, 0), ClosedAt: day(3, 4, 0), UpdatedAt: day(3, 4, 0)}
	commit(t, st, queries.KindDeals, func(ctx context.Context, l *queries.Load) error {
		for _, d := range []salesrecipe.Deal{open, moved, won, other, lost} {
			l.AddDeal(d)
		}
		return nil
	})
	tests := []struct {
		asOf, from time.Time
		want       string // rep:status:stage:versions of each deal, in deal order
	}{
		{day(1, 1, 0), day(3, 1, 0), ""},
		// d3 is known by one row, its loss: the store infers it open, in no known stage, from its creation.
		{day(2, 15, 0), day(3, 1, 0), "r1:open:proposal:1 r2:open:(unknown):1"},
		{day(3, 3, 0), day(3, 1, 0), "r1:open:negotiation:2 r2:open:discovery:1 r2:open:(unknown):1"},
		{day(3, 6, 0), day(3, 1, 0), "r1:won:closed_won:3 r2:open:discovery:1"},
		{day(3, 6, 0), day(3, 10, 0), "r2:open:discovery:1"}, // won before the range
	}
	status := []string{"open", "won", "lost"}
	for _, tt := range tests {
		fd, err := st.PeriodDeals(ctx, "acme", tt.from, day(4, 1, 0), tt.asOf)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range fd.Deals {
			h := fd.Deal(i)
			d := h[len(h)-1]
			got = append(got, fmt.Sprintf("%s:%s:%s:%d", fd.Reps[d.Rep], status[d.Status], fd.Stages[d.Stage], len(h)))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("as of %v from %v: %q, want %q", tt.asOf, tt.from, strings.Join(got, " "), tt.want)
		}
	}
	fd, _ := st.PeriodDeals(ctx, "acme", day(3, 1, 0), day(4, 1, 0), day(3, 6, 0))
	if h := fd.Deal(0); h[2].Amount != 500 || h[2].Closed != day(3, 5, 0).UnixMilli() || h[2].CloseDate != day(4, 10, 0).UnixMilli() ||
		h[0].Created != day(2, 1, 9).UnixMilli() || h[0].Updated != day(2, 1, 9).UnixMilli() {
		t.Errorf("won deal: %+v", h)
	}
	if h := fd.Deal(1); h[0].Closed != salesrecipe.Unknown || h[0].CloseDate != day(5, 1, 0).UnixMilli() {
		t.Errorf("open deal: %+v", h)
	}
}

func TestSnapshotsRoundTrip(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	row := queries.Snapshot{Period: "2026-03", PeriodStart: day(3, 1, 0), PeriodEnd: day(4, 1, 0), AsOf: day(3, 15, 12),
		CreatedAt: day(3, 15, 13), Level: "rep", Key: "r1", Name: "Ann", Team: "East", Quota: 1000, ClosedWon: 400,
		PipelineOpen: 900, PipelineWeighted: 300, Forecast: 750, Low: 500, High: 1100}
	team := row
	team.Level, team.Key, team.Name = "team", "East", "East"
	rerun := row
	rerun.CreatedAt, rerun.Forecast, rerun.FromPipeline, rerun.FromNewBusiness = day(3, 15, 14), 760, 250, 110
	for _, rows := range [][]queries.Snapshot{{row, team}, {rerun}} {
		if err := st.SaveSnapshots(ctx, "acme", rows); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Snapshots(ctx, "acme", day(3, 1, 0))
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if got[0].Level != "rep" || got[0].Forecast != 760 || got[1].Level != "team" || got[1].Quota != 1000 || !got[0].AsOf.Equal(row.AsOf) {
		t.Fatalf("snapshots: %+v", got)
	}
	if got[0].FromPipeline != 250 || got[0].FromNewBusiness != 110 {
		t.Errorf("rerun's split: %v from pipeline, %v from new business, want 250 and 110", got[0].FromPipeline, got[0].FromNewBusiness)
	}
	if other, err := st.Snapshots(ctx, "acme", day(4, 1, 0)); err != nil || len(other) != 0 {
		t.Fatalf("another period: %+v %v", other, err)
	}
}

// TestSnapshotsBeforeTheSplit checks that a snapshot row stored without the split (as before migration 0012)
// reads back with NaN, unknown, rather than 0 from pipeline and new business.
func TestSnapshotsBeforeTheSplit(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	err := st.Conn().Exec(ctx, "INSERT INTO forecast_snapshots (firm, period, period_start, period_end, as_of, created_at, level, key, name, team, "+
		"quota, closed_won, pipeline_open, pipeline_weighted, forecast, low, high) VALUES "+
		"('acme', '2026-03', '2026-03-01', '2026-04-01', '2026-03-15 12:00:00', '2026-03-15 13:00:00', 'firm', 'acme', 'acme', '', 0, 400, 900, 300, 750, 500, 1100)")
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Snapshots(ctx, "acme", day(3, 1, 0))
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	if !math.IsNaN(got[0].FromPipeline) || !math.IsNaN(got[0].FromNewBusiness) || got[0].Forecast != 750 {
		t.Errorf("old row: %+v, want NaN from pipeline and new business", got[0])
	}
}
