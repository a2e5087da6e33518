package forecast

import (
	"context"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

// TestBacktestShowsSimulatedCallersBiasBesideTheModel backtests a synthetic firm whose reps call
// their months (one sandbags at 60% of what they win, one has happy ears at 150%, the others call
// honestly, their managers roll the team up) and scores the calls beside the model: each caller's
// bias shows, and the model's accuracy stands next to it.
func TestBacktestShowsSimulatedCallersBiasBesideTheModel(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	cfg := smallFirm(21)
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir)
	from, _ := salesrecipe.ParsePeriod("2026-03")
	to, _ := salesrecipe.ParsePeriod("2026-05")
	bt, err := (&Backtester{Store: st, Now: clock(cfg.End)}).Run(context.Background(),
		BacktestRequest{Firm: "acme", From: from, To: to, Points: []AsOfPoint{SharePoint(0.5)}})
	if err != nil {
		t.Fatal(err)
	}
	won := map[string]float64{}
	for _, p := range bt.Points {
		if p.Method == MethodSalesrecipe {
			won[p.RepID+p.PeriodStart.Format(time.DateOnly)] = p.Actual
		}
	}
	styles := synth.CallStyles(f.truth)
	calls := synth.SimulateCalls(cfg.Seed, styles, []salesrecipe.Period{from, from.Next(), to}, func(rep string, p salesrecipe.Period) float64 {
		return won[rep+p.Start.Format(time.DateOnly)]
	})
	// A call submitted after the moment scored never counts: this one would wreck the sandbagger's score.
	calls = append(calls, salesrecipe.Call{Period: from, RepID: styles[0].RepID, Team: styles[0].Team, Commit: 1e9, BestCase: 1e9,
		SubmittedBy: "late", SubmittedAt: from.End().Add(-time.Hour)})
	scores := ScoreCalls(bt, salesrecipe.GrainMonth, calls)
	byRep := map[string]CallScore{}
	for _, s := range scores {
		t.Logf("%-14s %-6s %-5s all=%-5v moments %d: call WAPE %5.1f%% bias %+6.1f%% | model WAPE %5.1f%% bias %+6.1f%%",
			s.Method, s.RepID, s.Team, s.All, s.Forecasts, 100*s.WAPE, 100*s.Bias, 100*s.ModelWAPE, 100*s.ModelBias)
		if s.Method == MethodRepCommit && !s.All {
			byRep[s.RepID] = s
		}
	}
	sandbagger, happy := byRep[styles[0].RepID], byRep[styles[1].RepID]
	if sandbagger.Forecasts != 3 || sandbagger.Bias > -0.3 || sandbagger.Bias < -0.5 {
		t.Errorf("the sandbagger's calls: %+v, want 3 moments with a bias near -40%%", sandbagger)
	}
	if happy.Forecasts != 3 || happy.Bias < 0.35 || happy.Bias > 0.65 {
		t.Errorf("happy ears' calls: %+v, want 3 moments with a bias near +50%%", happy)
	}
	for _, s := range styles[2:] {
		if c, ok := byRep[s.RepID]; ok && (c.Bias < -0.15 || c.Bias > 0.15) {
			t.Errorf("honest caller %s: bias %v", s.RepID, c.Bias)
		}
	}
	teams := 0
	for _, s := range scores {
		if s.Method == MethodManagerCommit && !s.All {
			teams++
			if s.Forecasts != 3 || s.ModelWAPE <= 0 {
				t.Errorf("manager call %+v: want 3 moments beside the model's team forecasts", s)
			}
		}
	}
	if teams == 0 {
		t.Error("no manager call was scored")
	}
}
