package forecast

import (
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

func TestScoreCallsShowsSandbaggersAndHappyEars(t *testing.T) {
	jan, _ := salesrecipe.ParsePeriod("2026-01")
	feb := jan.Next()
	at := func(p salesrecipe.Period, day int) time.Time { return p.Start.AddDate(0, 0, day-1).Add(10 * time.Hour) }
	bt := &Backtest{}
	for _, p := range []salesrecipe.Period{jan, feb} {
		for _, day := range []int{10, 20} {
			for _, rep := range []string{"r1", "r2", "r3"} {
				base := Point{PeriodStart: p.Start, AsOfPoint: "x", AsOf: at(p, day), RepID: rep, Team: "East", Actual: 100}
				model, other := base, base
				model.Method, model.Forecast = MethodSalesrecipe, 90
				other.Method, other.Forecast = MethodRunRate, 1 // other methods are never scored as calls
				bt.Points = append(bt.Points, model, other)
			}
			bt.Teams = append(bt.Teams, Point{PeriodStart: p.Start, AsOfPoint: "x", AsOf: at(p, day), Team: "East", Method: MethodSalesrecipe, Forecast: 280, Actual: 300})
		}
	}
	call := func(p salesrecipe.Period, rep, team string, commit float64, day int) salesrecipe.Call {
		return salesrecipe.Call{Period: p, RepID: rep, Team: team, Commit: commit, BestCase: commit, SubmittedBy: "x", SubmittedAt: at(p, day)}
	}
	calls := []salesrecipe.Call{
		// r1 sandbags at 50 from day 1 of each month; r2 calls 150 from day 15 (scored at day 20 only).
		call(jan, "r1", "East", 50, 1), call(feb, "r1", "East", 50, 1),
		call(jan, "r2", "East", 150, 15), call(feb, "r2", "East", 150, 15),
		// r3 calls only after the moments: never scored. A call at day 5 is replaced by one at day 30.
		call(jan, "r3", "East", 999, 25),
		// The manager calls the team at 240 on day 1 of January, revises to 330 after day 20.
		call(jan, "", "East", 240, 1), call(jan, "", "East", 330, 21),
		// A quarter's call is of another grain: ignored.
		{Period: salesrecipe.NewPeriod(salesrecipe.GrainQuarter, jan.Start), RepID: "r1", Team: "East", Commit: 1, BestCase: 1, SubmittedBy: "x", SubmittedAt: at(jan, 1)},
	}
	got := ScoreCalls(bt, salesrecipe.GrainMonth, calls)
	want := []CallScore{
		{Method: MethodManagerCommit, Team: "East", Forecasts: 2, WAPE: 0.2, Bias: -0.2, ModelWAPE: 0.0667, ModelBias: -0.0667},
		{Method: MethodManagerCommit, All: true, Forecasts: 2, WAPE: 0.2, Bias: -0.2, ModelWAPE: 0.0667, ModelBias: -0.0667},
		{Method: MethodRepCommit, Team: "East", RepID: "r1", Forecasts: 4, WAPE: 0.5, Bias: -0.5, ModelWAPE: 0.1, ModelBias: -0.1},
		{Method: MethodRepCommit, Team: "East", RepID: "r2", Forecasts: 2, WAPE: 0.5, Bias: 0.5, ModelWAPE: 0.1, ModelBias: -0.1},
		{Method: MethodRepCommit, All: true, Forecasts: 6, WAPE: 0.5, Bias: -0.1667, ModelWAPE: 0.1, ModelBias: -0.1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d scores, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("score %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
