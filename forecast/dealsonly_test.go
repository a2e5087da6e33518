package forecast

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/model"
)

// dealsOnly are the kinds of a firm's files a deals-only export has: everything but activities.
var dealsOnly = []ingest.Kind{ingest.KindReps, ingest.KindQuotas, ingest.KindStages, ingest.KindDeals}

// TestDealsOnlyFirmLearnsFromNewOpportunities fits and forecasts a synthetic firm loaded without its
// activities: the recipe's one input is the deals each rep created, it has a measurable value, and a
// mid-month forecast holds new business beyond what is closed and in the pipeline.
func TestDealsOnlyFirmLearnsFromNewOpportunities(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	cfg := smallFirm(11)
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir, dealsOnly...)
	ctx := context.Background()
	asOf := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)
	m, err := (&Fitter{Store: st, Now: clock(cfg.End)}).Fit(ctx, "acme", salesrecipe.GrainMonth, asOf)
	if err != nil {
		t.Fatal(err)
	}
	view, ok := m.View()
	if !ok || len(view.Kinds) != 1 || view.Kinds[0].Kind != NewOpportunityKind || view.Kinds[0].ValuePerActivity <= 0 {
		t.Fatalf("recipe %+v (measurable %v), want one measurable %s input", view, ok, NewOpportunityKind)
	}
	if !m.UsesNewOpportunities() {
		t.Fatal("the model does not say it reads new opportunities")
	}
	may, _ := salesrecipe.ParsePeriod("2026-05")
	out, err := (&Forecaster{Store: st, Now: clock(cfg.End)}).Forecast(ctx, Request{Firm: "acme", Period: may, AsOf: asOf, Refit: true, NoSave: true})
	if err != nil {
		t.Fatal(err)
	}
	tot := out.FirmTotal
	if tot.Parts.RecipeTotal <= 0 || tot.Forecast <= tot.ClosedWon {
		t.Errorf("firm total %+v: want new business from new opportunities", tot)
	}
}

// TestDealsCreatedAreCountedWhenKnown counts a deal created on one day but first known a week later:
// a count as of a moment in between does not hold it, one after does, in its creation's period.
func TestDealsCreatedAreCountedWhenKnown(t *testing.T) {
	created := time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)
	known := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	deals := []salesrecipe.Deal{
		{ID: "d1", RepID: "r1", Stage: "qualify", Status: salesrecipe.StatusOpen, Amount: 100, CreatedAt: created, UpdatedAt: known,
			CloseDate: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "d2", RepID: "r2", Stage: "qualify", Status: salesrecipe.StatusOpen, Amount: 100, UpdatedAt: created,
			CloseDate: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	fd := salesrecipe.NewFirmData(known.AddDate(0, 1, 0), nil, deals, nil)
	c := creationsOf(fd)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		at   time.Time
		want string
	}{
		{created.Add(-time.Hour), ""},
		{created, "r2 2026-03-01 1;"},
		{known.Add(-time.Millisecond), "r2 2026-03-01 1;"},
		{known, "r1 2026-03-01 1;r2 2026-03-01 1;"},
	}
	for _, tc := range cases {
		var b strings.Builder
		for _, n := range c.counts(salesrecipe.GrainMonth, from, to, tc.at) {
			if n.Kind != NewOpportunityKind {
				t.Fatalf("kind %q", n.Kind)
			}
			b.WriteString(n.RepID + " " + n.Period.Format(time.DateOnly) + " " + strings.Repeat("1", int(n.N)) + ";")
		}
		if b.String() != tc.want {
			t.Errorf("as of %s: %q, want %q", tc.at.Format(time.RFC3339), b.String(), tc.want)
		}
	}
}

// TestDealsOnlyThinHistorySaysWhatIsMissing fits a deals-only firm with four months of history: the
// answer is a thin-data error naming what is missing, never a panel error.
func TestDealsOnlyThinHistorySaysWhatIsMissing(t *testing.T) {
	cfg := smallFirm(13)
	cfg.Months = 4
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir, dealsOnly...)
	_, err := (&Fitter{Store: st}).Fit(context.Background(), "acme", salesrecipe.GrainMonth, time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC))
	var thin *model.ThinDataError
	if !errors.As(err, &thin) || thin.What == "" {
		t.Fatalf("want a thin-data error naming what is missing, got %v", err)
	}
}
