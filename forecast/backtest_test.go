package forecast

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
)

// TestBacktestScoresTheTeamRowsUsersSee backtests one period and forecasts it live, refitted, at the
// same moments from the same rows in memory: every team's backtest point of every method is the
// team's forecast as its live team row shows it (the combined forecast's point and 80% interval from
// the reps' summed draws, each other method the sum of its rep values), and its outcome is what the
// team's reps won.
func TestBacktestScoresTheTeamRowsUsersSee(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency (45 s under -race): make test runs it without the race detector")
	}
	cases := []struct {
		name   string
		seed   int64
		period string
		shares []float64
		hire   bool // add a rep with a quota and no history, whom the live forecast lists and no rep point scores
		deals  bool // load no activities: the recipe reads new opportunities derived from the deals
	}{
		{name: "mid-month and late", seed: 11, period: "2026-05", shares: []float64{0.5, 0.8}},
		{name: "early, with a new hire", seed: 12, period: "2026-04", shares: []float64{0.2}, hire: true},
		{name: "deals only", seed: 11, period: "2026-05", shares: []float64{0.5}, deals: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallFirm(tc.seed)
			f := generate(t, cfg)
			dir := f.dir
			if tc.hire {
				dir = t.TempDir()
				for _, name := range []string{"activities.csv", "deals.csv", "quotas.csv", "reps.csv", "stages.csv"} {
					rewrite(t, f.dir, dir, name, func(map[string]string) bool { return true })
				}
				appendLine(t, filepath.Join(dir, "reps.csv"), "r9999,New Hire,new.hire@example.com,East,r0001")
				appendLine(t, filepath.Join(dir, "quotas.csv"), "r9999,"+tc.period+"-01,month,30000.00")
			}
			kinds := []ingest.Kind{ingest.KindReps, ingest.KindQuotas, ingest.KindStages, ingest.KindActivities, ingest.KindDeals}
			if tc.deals {
				kinds = slices.DeleteFunc(kinds, func(k ingest.Kind) bool { return k == ingest.KindActivities })
			}
			st := memory(t, "acme", dir, kinds...)
			ctx := context.Background()
			period, _ := salesrecipe.ParsePeriod(tc.period)
			var points []AsOfPoint
			for _, s := range tc.shares {
				points = append(points, SharePoint(s))
			}
			bt, err := (&Backtester{Store: st, Now: clock(cfg.End)}).Run(ctx, BacktestRequest{Firm: "acme", From: period, To: period, Points: points})
			if err != nil {
				t.Fatal(err)
			}
			fc := &Forecaster{Store: st, Now: clock(cfg.End)}
			differs := 0
			for _, pt := range points {
				live, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: pt.At(period), Refit: true, NoSave: true})
				if err != nil {
					t.Fatal(err)
				}
				if tc.hire {
					if _, ok := repRowOf(live, "r9999"); !ok {
						t.Fatal("the live forecast does not list the new hire; the case proves nothing")
					}
				}
				differs += checkTeamPoints(t, bt, pt.Name, live)
			}
			if differs == 0 {
				t.Error("every team row is its reps' forecasts summed: the case cannot tell the team point from that sum")
			}
			for _, s := range bt.Methods {
				if s.TeamWAPE == nil || (s.Method == MethodSalesrecipe) != (s.TeamIntervalCoverage != nil) {
					t.Errorf("%s at %s: team WAPE %v, team coverage %v", s.Method, s.AsOfPoint, s.TeamWAPE, s.TeamIntervalCoverage)
				}
			}
		})
	}
}

// checkTeamPoints compares the backtest's team points at one as-of point with the live forecast's
// team rows, and returns how many of those rows differ from the sum of their reps' forecasts.
func checkTeamPoints(t *testing.T, bt *Backtest, point string, live *Forecast) (differs int) {
	t.Helper()
	byTeam := map[string]map[string]Point{}
	won := map[string]float64{}
	for _, p := range bt.Teams {
		if p.AsOfPoint != point {
			continue
		}
		if byTeam[p.Team] == nil {
			byTeam[p.Team] = map[string]Point{}
		}
		byTeam[p.Team][p.Method] = p
	}
	for _, p := range bt.Points {
		if p.AsOfPoint == point && p.Method == MethodSalesrecipe {
			won[p.Team] += p.Actual
		}
	}
	if len(byTeam) != len(live.Teams) || len(live.Teams) < 2 {
		t.Fatalf("at %s: %d backtested teams, %d team rows", point, len(byTeam), len(live.Teams))
	}
	cents := func(a, b float64) bool { return math.Abs(a-b) <= 0.0051 }
	for _, row := range live.Teams {
		pts := byTeam[row.Team]
		own := pts[MethodSalesrecipe]
		if !cents(own.Forecast, row.Forecast) || !cents(own.Low, row.Low) || !cents(own.High, row.High) {
			t.Errorf("at %s, team %q: backtest %.2f (%.2f-%.2f), the team row %.2f (%.2f-%.2f)", point, row.Team,
				own.Forecast, own.Low, own.High, row.Forecast, row.Low, row.High)
		}
		var repSum float64
		for _, r := range live.Reps {
			if r.Team == row.Team {
				repSum += r.Forecast
			}
		}
		if !cents(repSum, row.Forecast) {
			differs++
		}
		for method, want := range map[string]float64{MethodRecipeOnly: row.Parts.RecipeTotal, MethodStageWeighted: row.Parts.StageWeighted} {
			if p := pts[method]; math.Abs(p.Forecast-want) > 1e-6*math.Max(1, want) || p.Low != p.Forecast || p.High != p.Forecast {
				t.Errorf("at %s, team %q: %s %.2f (%.2f-%.2f), the team row's parts %.2f", point, row.Team, method, p.Forecast, p.Low, p.High, want)
			}
		}
		for method, p := range pts {
			if p.Actual != won[row.Team] || p.RepID != "" || !p.AsOf.Equal(live.AsOf) {
				t.Errorf("at %s, team %q, %s: outcome %.2f at %s, its reps won %.2f (as of %s)", point, row.Team, method, p.Actual,
					p.AsOf.Format(time.RFC3339), won[row.Team], live.AsOf.Format(time.RFC3339))
			}
		}
	}
	return differs
}

// TestScorePointsScoresTeamsFromTeamPoints checks the team scores on hand-made points: team WAPE and
// team coverage come from the team points alone (not from the rep points summed), and are nil without any.
func TestScorePointsScoresTeamsFromTeamPoints(t *testing.T) {
	rep := func(id, team string, f, lo, hi, a float64) Point {
		return Point{AsOfPoint: "50%", RepID: id, Team: team, Method: MethodSalesrecipe, Forecast: f, Low: lo, High: hi, Actual: a}
	}
	team := func(name string, f, lo, hi, a float64) Point {
		return Point{AsOfPoint: "50%", Team: name, Method: MethodSalesrecipe, Forecast: f, Low: lo, High: hi, Actual: a}
	}
	reps := []Point{rep("a", "East", 10, 5, 20, 30), rep("b", "East", 10, 5, 20, 10), rep("c", "West", 40, 30, 50, 40)}
	cases := []struct {
		name     string
		teams    []Point
		wape     *float64
		coverage *float64
	}{
		// East: |40-25| + West: |40-40| over 80 won; East's 40 is inside 30-45, West's 40 inside 35-45.
		{name: "two teams", teams: []Point{team("East", 25, 30, 45, 40), team("West", 40, 35, 45, 40)}, wape: ptr(0.1875), coverage: ptr(1)},
		// East's point from its summed draws is 32, above the reps' 20, and its interval misses 40.
		{name: "one team", teams: []Point{team("East", 32, 25, 38, 40)}, wape: ptr(0.2), coverage: ptr(0)},
		{name: "no team seen"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ScorePoints(reps, tc.teams, []string{"50%"})
			if len(got) != 1 {
				t.Fatalf("%d scores, want 1", len(got))
			}
			s := got[0]
			if s.RepWAPE != 0.25 || !samePtr(s.TeamWAPE, tc.wape) || !samePtr(s.TeamIntervalCoverage, tc.coverage) {
				t.Errorf("rep WAPE %v, team WAPE %v, team coverage %v; want 0.25, %v, %v", s.RepWAPE, s.TeamWAPE, s.TeamIntervalCoverage, tc.wape, tc.coverage)
			}
		})
	}
}

// samePtr compares optional numbers exactly.
func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
