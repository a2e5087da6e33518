package queries_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

func TestContestVersions(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	first := salesrecipe.Contest{ID: "march", Firm: "acme", Name: "March blitz", Period: "2026-03", From: day(3, 1, 0), To: day(3, 31, 0),
		Metric: salesrecipe.MetricRecipePoints, Teams: []string{"East"}, SavedAt: day(2, 20, 9), SavedBy: "Max Manager"}
	second := first
	second.Name, second.Teams, second.RepsSee, second.SavedAt, second.SavedBy = "March blitz, both teams", []string{"East", "West"}, true, day(2, 21, 9), "Ada Admin"
	other := salesrecipe.Contest{ID: "q2", Firm: "acme", Name: "Q2 pipeline", From: day(4, 1, 0), To: day(6, 30, 0),
		Metric: salesrecipe.MetricNewPipeline, Teams: []string{"West"}, SavedAt: day(2, 22, 9), SavedBy: "Wes Manager"}
	elsewhere := other
	elsewhere.Firm = "globex"
	for _, c := range []salesrecipe.Contest{second, first, other, elsewhere, first} { // first twice: stored once
		if err := st.SaveContest(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.ContestVersions(ctx, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []salesrecipe.Contest{first, second, other}; !reflect.DeepEqual(all, want) {
		t.Errorf("versions of acme:\n got %+v\nwant %+v", all, want)
	}
	one, err := st.ContestVersions(ctx, "acme", "q2")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, []salesrecipe.Contest{other}) {
		t.Errorf("versions of q2: %+v", one)
	}
	if none, err := st.ContestVersions(ctx, "acme", "nope"); err != nil || len(none) != 0 {
		t.Errorf("versions of an unknown contest: %+v, %v", none, err)
	}
}

func TestNewPipeline(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	commit(t, st, queries.KindDeals, func(ctx context.Context, l *queries.Load) error {
		for _, d := range pipelineDeals() {
			l.AddDeal(d)
		}
		return nil
	})
	tests := []struct {
		name         string
		from, to, at time.Time
		want         []queries.PipelineCreated
	}{
		// d4 (r1, 40) and d7 (r2, 25, won since) were created in March by March 20; d8 (r1, 99) on March 22.
		{"March as of the 20th", day(3, 1, 0), day(4, 1, 0), day(3, 20, 12), []queries.PipelineCreated{{"r1", 40, 1}, {"r2", 25, 1}}},
		{"March as of April", day(3, 1, 0), day(4, 1, 0), day(4, 30, 0), []queries.PipelineCreated{{"r1", 139, 2}, {"r2", 25, 1}}},
		{"March 3 only", day(3, 3, 0), day(3, 4, 0), day(4, 30, 0), []queries.PipelineCreated{{"r1", 40, 1}}},
		{"February's deals are not new in March", day(2, 1, 0), day(3, 1, 0), day(2, 10, 8), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.NewPipeline(ctx, "acme", tt.from, tt.to, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
