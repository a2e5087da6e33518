package metrics

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
)

// TestStoreSourceFindsPlantedShortfall loads a synthetic firm with a planted shortfall into the
// embedded engine and checks the snapshot the metrics would serve.
func TestStoreSourceFindsPlantedShortfall(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Shortfall, cfg.End = 12, 12, true, t0
	st := loadSynthFirm(t, cfg)
	fc := &forecast.Forecaster{Store: st, Now: func() time.Time { return t0 }}
	src := &StoreSource{Store: st, FirmList: []string{"default"}, Currency: "EUR", Forecaster: fc}
	team := saveCalls(t, st, t0)
	snap, err := src.Snapshot(t.Context(), "default", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Validate(); err != nil {
		t.Fatal(err)
	}
	checkCalls(t, snap, team)
	if len(snap.Reps) != cfg.Reps || len(snap.Teams) == 0 {
		t.Fatalf("%d reps and %d teams, want %d reps", len(snap.Reps), len(snap.Teams), cfg.Reps)
	}
	var planted *Row
	var sumForecast, sumTeams float64
	for i, r := range snap.Reps {
		if r.Rep == synth.ShortfallRep {
			planted = &snap.Reps[i]
		}
		if r.Low > r.Forecast || r.Forecast > r.High || r.Low < r.ClosedWon {
			t.Errorf("%s: interval [%v, %v] around %v, closed won %v", r.Rep, r.Low, r.High, r.Forecast, r.ClosedWon)
		}
		sumForecast += r.Forecast
	}
	for _, tm := range snap.Teams {
		sumTeams += tm.Forecast
		if tm.Low > tm.Forecast || tm.Forecast > tm.High {
			t.Errorf("team %s: interval [%v, %v] around %v", tm.Team, tm.Low, tm.High, tm.Forecast)
		}
	}
	// A team's forecast is the middle of its total's outcomes; the reps' outcomes here are skewed up, so it is at least the sum of their middles.
	if sumTeams < sumForecast*(1-1e-9) {
		t.Errorf("teams forecast %v, below the reps' %v", sumTeams, sumForecast)
	}
	if planted == nil {
		t.Fatalf("no row for %s", synth.ShortfallRep)
	}
	if !(planted.Quota > 0 && planted.High < planted.Quota) {
		t.Errorf("%s: high %v, quota %v: want the planted shortfall, the high end below quota", planted.Rep, planted.High, planted.Quota)
	}
	for _, kind := range []string{"reps", "stages", "activities", "deals"} {
		if snap.LastIngest[kind].IsZero() {
			t.Errorf("no last load of %s", kind)
		}
	}
	rc, ok, err := st.LatestRecipe(t.Context(), "default", "month", t0)
	if err != nil || !ok {
		t.Fatalf("the first snapshot fits and stores a recipe: ok %v, %v", ok, err)
	}
	if snap.RecipeCVWAPE != rc.CVWAPE || !snap.LastFit.Equal(rc.FittedAt) {
		t.Errorf("CV WAPE %v and last fit %v, the stored recipe's %v and %v", snap.RecipeCVWAPE, snap.LastFit, rc.CVWAPE, rc.FittedAt)
	}
	if !snap.LastForecast.Equal(t0) {
		t.Errorf("last forecast %v, want %v", snap.LastForecast, t0)
	}
}

func TestStoreSourceWithForecasterShowsTheProductForecast(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Shortfall, cfg.End = 12, 12, true, t0
	st := loadSynthFirm(t, cfg)
	fc := &forecast.Forecaster{Store: st, Now: func() time.Time { return t0 }}
	src := &StoreSource{Store: st, FirmList: []string{"default"}, Forecaster: fc}
	snap, err := src.Snapshot(t.Context(), "default", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Validate(); err != nil {
		t.Fatal(err)
	}
	want, err := fc.Forecast(t.Context(), forecast.Request{Firm: "default", Period: snap.Period, AsOf: t0, NoSave: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Reps) != len(want.Reps) || len(snap.Teams) != len(want.Teams) {
		t.Fatalf("%d reps, %d teams; the forecast has %d and %d", len(snap.Reps), len(snap.Teams), len(want.Reps), len(want.Teams))
	}
	for i, r := range want.Reps {
		got := snap.Reps[i]
		if got.Rep != r.RepID || got.Forecast != r.Forecast || got.Low != r.Low || got.High != r.High || got.ClosedWon != r.ClosedWon {
			t.Errorf("rep %s: gauge row %+v, forecast %+v", r.RepID, got, r.Money)
		}
	}
	for i, tm := range want.Teams {
		if got := snap.Teams[i]; got.Team != tm.Team || got.Forecast != tm.Forecast || got.FromPipeline != tm.FromPipeline || got.FromNewBusiness != tm.FromNewBusiness {
			t.Errorf("team %s: gauge %+v, forecast %+v", tm.Team, got, tm.Money)
		}
	}
	if snap.LastFit.IsZero() || math.IsNaN(snap.RecipeCVWAPE) {
		t.Errorf("the forecast fitted and stored a recipe, yet last fit %v, CV WAPE %v", snap.LastFit, snap.RecipeCVWAPE)
	}
}

// loadSynthFirm writes a synthetic firm and loads its five files as firm
// "default" into a fresh database of the embedded engine.
func loadSynthFirm(t *testing.T, cfg synth.Config) *queries.Store {
	t.Helper()
	return loadSynthFiles(t, cfg, ingest.Kinds()...)
}

// loadSynthFiles is loadSynthFirm loading only the files of the given kinds.
func loadSynthFiles(t *testing.T, cfg synth.Config, kinds ...ingest.Kind) *queries.Store {
	t.Helper()
	st := engine.Store(t, queries.Config{})
	dir := t.TempDir()
	if _, err := synth.WriteDir(t.Context(), dir, cfg); err != nil {
		t.Fatal(err)
	}
	for _, kind := range kinds {
		f, err := os.Open(filepath.Join(dir, string(kind)+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Run(t.Context(), st, ingest.Job{Firm: "default", Kind: kind}, []ingest.Input{{Name: f.Name(), R: f}})
		f.Close()
		if err != nil {
			t.Fatalf("load %s: %v", kind, err)
		}
	}
	return st
}

// TestStoreSourceServesADealsOnlyFirm loads a firm without its activities: the metrics' snapshot is
// the product's forecast, fitted on new opportunities derived from the deals.
func TestStoreSourceServesADealsOnlyFirm(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.End = 12, 14, t0
	st := loadSynthFiles(t, cfg, ingest.KindReps, ingest.KindQuotas, ingest.KindStages, ingest.KindDeals)
	fc := &forecast.Forecaster{Store: st, Now: func() time.Time { return t0 }}
	src := &StoreSource{Store: st, FirmList: []string{"default"}, Currency: "EUR", Forecaster: fc}
	team := saveCalls(t, st, t0)
	snap, err := src.Snapshot(t.Context(), "default", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Validate(); err != nil {
		t.Fatal(err)
	}
	checkCalls(t, snap, team)
	if len(snap.Reps) != cfg.Reps || len(snap.Teams) == 0 {
		t.Fatalf("%d reps and %d teams, want %d reps", len(snap.Reps), len(snap.Teams), cfg.Reps)
	}
	rc, ok, err := st.LatestRecipe(t.Context(), "default", "month", t0)
	if err != nil || !ok || !strings.Contains(rc.Body, forecast.NewOpportunityKind) {
		t.Fatalf("the snapshot fits and stores a recipe on new opportunities: ok %v, %v", ok, err)
	}
}

// saveCalls stores forecast calls around now: for the shortfall rep two in the period (the later
// counts), one made after now and one for the next period (neither counts); a team call for the
// shortfall rep's team, whose name it returns.
func saveCalls(t *testing.T, st *queries.Store, now time.Time) string {
	t.Helper()
	reps, err := st.Reps(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	var team string
	for _, r := range reps {
		if r.ID == synth.ShortfallRep {
			team = r.Team
		}
	}
	p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, now)
	for _, c := range []salesrecipe.Call{
		{Period: p, RepID: synth.ShortfallRep, Team: team, Commit: 10, BestCase: 20, SubmittedBy: "rep", SubmittedAt: now.Add(-2 * time.Hour)},
		{Period: p, RepID: synth.ShortfallRep, Team: team, Commit: 30, BestCase: 40, SubmittedBy: "rep", SubmittedAt: now.Add(-time.Hour)},
		{Period: p, RepID: synth.ShortfallRep, Team: team, Commit: 99, BestCase: 99, SubmittedBy: "rep", SubmittedAt: now.Add(time.Hour)},
		{Period: p.Next(), RepID: synth.ShortfallRep, Team: team, Commit: 77, BestCase: 77, SubmittedBy: "rep", SubmittedAt: now.Add(-time.Hour)},
		{Period: p, Team: team, Commit: 500, BestCase: 600, SubmittedBy: "manager", SubmittedAt: now.Add(-3 * time.Hour)},
	} {
		if err := st.SaveCall(t.Context(), "default", c); err != nil {
			t.Fatal(err)
		}
	}
	return team
}

// checkCalls checks the snapshot carries the calls saveCalls made that count at its time.
func checkCalls(t *testing.T, snap Snapshot, team string) {
	t.Helper()
	for _, r := range snap.Reps {
		switch {
		case r.Rep == synth.ShortfallRep && (r.Call == nil || r.Call.Commit != 30 || r.Call.BestCase != 40 || r.CallSubmitted() != unix(t0.Add(-time.Hour))):
			t.Errorf("%s's call: %+v, want the later one of the period made before now", r.Rep, r.Call)
		case r.Rep != synth.ShortfallRep && r.Call != nil:
			t.Errorf("%s has a call it never made: %+v", r.Rep, r.Call)
		}
	}
	for _, r := range snap.Teams {
		if (r.Team == team) != (r.Call != nil) || r.Call != nil && r.Call.Commit != 500 {
			t.Errorf("team %s's call: %+v", r.Team, r.Call)
		}
	}
}
