package forecast

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
)

// qualityFirm is one synthetic firm the quality test backtests.
type qualityFirm struct {
	name    string
	cfg     synth.Config
	periods int // periods backtested, ending with the last complete one
}

// qualityFirms vary the generator's seed-drawn traits (win rates by stage and rep, stage-file
// miscalibration, optimistic close dates, seasonality) and its regime (deal sizes and volumes).
func qualityFirms() []qualityFirm {
	end := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	mid := synth.DefaultConfig()
	mid.Reps, mid.Months, mid.End = 30, 30, end
	a, b := mid, mid
	a.Seed, b.Seed = 21, 22
	lumpy := mid
	lumpy.Seed, lumpy.AmountSigma, lumpy.ActivitiesPerDay = 23, 0.9, 5
	fast := synth.HighVelocityConfig()
	fast.Seed, fast.Reps, fast.Months, fast.End, fast.ActivitiesPerDay = 24, 16, 24, end, 15
	return []qualityFirm{{"mid-market seed 21", a, 12}, {"mid-market seed 22", b, 12}, {"lumpy deals seed 23", lumpy, 12}, {"high velocity seed 24", fast, 10}}
}

func TestBacktestQualityAcrossFirms(t *testing.T) {
	if testing.Short() {
		t.Skip("backtests several synthetic firms; skipped with -short")
	}
	for _, qf := range qualityFirms() {
		t.Run(strings.ReplaceAll(qf.name, " ", "_"), func(t *testing.T) {
			f := generate(t, qf.cfg)
			st := engine.Store(t, queries.Config{})
			load(t, st, "acme", f.dir)
			to := salesrecipe.NewPeriod(salesrecipe.GrainMonth, qf.cfg.End).Prev()
			from := to
			for range qf.periods - 1 {
				from = from.Prev()
			}
			bt := &Backtester{Store: st, Now: clock(qf.cfg.End)}
			res, err := bt.Run(context.Background(), BacktestRequest{Firm: "acme", From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			truth, err := truthExpectations(context.Background(), st, f.truth)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + qualityReport(res, truth))
			checkQuality(t, res)
		})
	}
}

// checkQuality asserts the targets: below every baseline at every point, at least 5% below
// the best baseline mid-period, and 80% intervals covering 75% to 85% of outcomes.
func checkQuality(t *testing.T, res *Backtest) {
	t.Helper()
	scores := map[[2]string]Score{}
	for _, s := range res.Methods {
		scores[[2]string{s.Method, s.AsOfPoint}] = s
	}
	for _, pt := range DefaultPoints(3) {
		own := scores[[2]string{MethodSalesrecipe, pt.Name}]
		best := math.Inf(1)
		for _, b := range Baselines() {
			best = math.Min(best, scores[[2]string{b, pt.Name}].RepWAPE)
		}
		if own.RepWAPE >= best {
			t.Errorf("%s: rep WAPE %.3f is not below the best baseline's %.3f", pt.Name, own.RepWAPE, best)
		}
		if pt.Name == "mid" && own.RepWAPE > 0.95*best {
			t.Errorf("mid: rep WAPE %.3f is not 5%% below the best baseline's %.3f", own.RepWAPE, best)
		}
		if c := *own.IntervalCoverage; c < 0.75 || c > 0.85 {
			t.Errorf("%s: 80%% intervals cover %.1f%% of outcomes", pt.Name, 100*c)
		}
	}
}

// qualityReport renders the scores and each method's distance to the truth's expected revenue.
func qualityReport(res *Backtest, truth map[string]map[int64]float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-15s %-7s %8s %9s %7s %8s %10s\n", "method", "as of", "rep WAPE", "team WAPE", "bias", "coverage", "vs truth")
	dist := truthDistance(res, truth)
	for _, s := range res.Methods {
		cov := "-"
		if s.IntervalCoverage != nil {
			cov = fmt.Sprintf("%.1f%%", 100**s.IntervalCoverage)
		}
		fmt.Fprintf(&b, "%-15s %-7s %8.3f %9.3f %+7.3f %8s %10.3f\n", s.Method, s.AsOfPoint, s.RepWAPE, s.TeamWAPE, s.Bias, cov, dist[[2]string{s.Method, s.AsOfPoint}])
	}
	fmt.Fprintf(&b, "truth's expected revenue vs actual: rep WAPE %.3f (the noise floor of a forecast knowing only the recipe)\n", dist[[2]string{"truth", ""}])
	return b.String()
}

// truthDistance returns, per method and point, sum |F - E| / sum E with E the truth's expected
// revenue of the rep-period, and under {"truth", ""} the WAPE of E against the actuals.
func truthDistance(res *Backtest, truth map[string]map[int64]float64) map[[2]string]float64 {
	num, den := map[[2]string]float64{}, map[[2]string]float64{}
	var floorErr, floorAct float64
	seen := map[string]bool{}
	for _, p := range res.Points {
		e := truth[p.RepID][p.PeriodStart.Unix()]
		k := [2]string{p.Method, p.AsOfPoint}
		num[k] += math.Abs(p.Forecast - e)
		den[k] += e
		id := p.RepID + p.PeriodStart.String()
		if p.Method == MethodSalesrecipe && !seen[id] {
			seen[id] = true
			floorErr, floorAct = floorErr+math.Abs(p.Actual-e), floorAct+p.Actual
		}
	}
	out := map[[2]string]float64{{"truth", ""}: floorErr / floorAct}
	for k := range num {
		out[k] = num[k] / den[k]
	}
	return out
}

// truthExpectations returns each rep's expected won revenue per month under the generator's truth:
// baseline while employed plus each kind's value per activity spread over its lags, applied to the
// activity actually recorded.
func truthExpectations(ctx context.Context, st *queries.Store, tr synth.Truth) (map[string]map[int64]float64, error) {
	counts, err := st.ActivityCounts(ctx, "acme", salesrecipe.GrainMonth, tr.Start, tr.End, tr.End)
	if err != nil {
		return nil, err
	}
	lags := map[string][]synth.LagShare{}
	for _, k := range tr.Kinds {
		lags[k.Kind] = k.Lags
	}
	reps := map[string]synth.RepTruth{}
	out := map[string]map[int64]float64{}
	for _, r := range tr.Reps {
		reps[r.RepID] = r
		out[r.RepID] = map[int64]float64{}
		for m := r.JoinMonth; m < r.LeaveMonth; m++ {
			out[r.RepID][tr.Start.AddDate(0, m, 0).Unix()] += r.BaselinePerMonth
		}
	}
	for _, c := range counts {
		r, ok := reps[c.RepID]
		if !ok {
			continue
		}
		start := salesrecipe.NewPeriod(salesrecipe.GrainMonth, c.Period).Start
		for _, l := range lags[c.Kind] {
			out[c.RepID][start.AddDate(0, l.Lag, 0).Unix()] += float64(c.N) * r.ValuePerActivity[c.Kind] * l.Share
		}
	}
	return out, nil
}
