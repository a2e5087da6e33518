//go:build !race

package forecast

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

// TestEvaluateGrains backtests the generator's mechanics firms at one grain (quarters by default) at
// off-grid shares of each period and at several seed offsets, and prints per firm and share the
// combined forecast's rep and team WAPE, bias and 80% interval coverage beside the run_rate and
// last_period baselines, each seed alone and pooled. It runs only with SALESRECIPE_EVAL_GRAINS set
// (comma-separated firm name substrings, or "all"), as a measuring tool; SALESRECIPE_EVAL_GRAIN
// (quarter or month), SALESRECIPE_EVAL_SEEDS (comma-separated seed offsets, default "0,1") and
// SALESRECIPE_EVAL_PERIODS (periods backtested, default 4 quarters or 6 months) choose the rest.
func TestEvaluateGrains(t *testing.T) {
	filter := os.Getenv("SALESRECIPE_EVAL_GRAINS")
	if filter == "" {
		t.Skip("set SALESRECIPE_EVAL_GRAINS=all (or comma-separated firm name substrings) to run the evaluation")
	}
	grain := salesrecipe.GrainQuarter
	if os.Getenv("SALESRECIPE_EVAL_GRAIN") == string(salesrecipe.GrainMonth) {
		grain = salesrecipe.GrainMonth
	}
	periods := map[salesrecipe.Grain]int{salesrecipe.GrainQuarter: 4, salesrecipe.GrainMonth: 6}[grain]
	if v, err := strconv.Atoi(os.Getenv("SALESRECIPE_EVAL_PERIODS")); err == nil && v > 0 {
		periods = v
	}
	var offsets []int64
	for _, s := range strings.Split(cmp.Or(os.Getenv("SALESRECIPE_EVAL_SEEDS"), "0,1"), ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			t.Fatalf("SALESRECIPE_EVAL_SEEDS: %v", err)
		}
		offsets = append(offsets, v)
	}
	pts := DefaultPoints(4)
	var report strings.Builder
	fmt.Fprintf(&report, "%s backtests, last %d periods before %s, seed offsets %v\n%s\n", grain, periods, qualityEnd.Format(time.DateOnly), offsets, grainHeader)
	for _, m := range synth.Mechanics() {
		if filter != "all" && !slices.ContainsFunc(strings.Split(filter, ","), func(f string) bool { return strings.Contains(m.Name, f) }) {
			continue
		}
		pooled := map[string]*grainScore{}
		for _, off := range offsets {
			cfg := m.Config
			cfg.End, cfg.Seed = qualityEnd, cfg.Seed+off
			start := time.Now()
			res := backtestGrain(t, cfg, grain, periods, pts)
			t.Logf("%s seed +%d: %s", m.Name, off, time.Since(start).Round(time.Millisecond))
			own := grainScores(res, pts)
			for _, pt := range pts {
				report.WriteString(own[pt.Name].line(fmt.Sprintf("%s +%d", m.Name, off), pt.Name))
				if pooled[pt.Name] == nil {
					pooled[pt.Name] = &grainScore{}
				}
				pooled[pt.Name].merge(own[pt.Name])
			}
		}
		if len(offsets) > 1 {
			for _, pt := range pts {
				report.WriteString(pooled[pt.Name].line(m.Name+" pooled", pt.Name))
			}
		}
	}
	t.Log("\n" + report.String())
}

// backtestGrain reads the firm of cfg into memory and backtests its last periods of the grain at the points.
func backtestGrain(t testing.TB, cfg synth.Config, grain salesrecipe.Grain, periods int, pts []AsOfPoint) *Backtest {
	t.Helper()
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir)
	to := salesrecipe.NewPeriod(grain, cfg.End).Prev()
	from := to
	for range periods - 1 {
		from = from.Prev()
	}
	res, err := (&Backtester{Store: st, Now: clock(cfg.End)}).Run(context.Background(), BacktestRequest{Firm: "acme", From: from, To: to, Points: pts})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// grainScore accumulates, at one share, the combined forecast's and two baselines' errors over reps and teams.
type grainScore struct {
	rep, team                            accuracy // the combined forecast
	runRate, last, teamRunRate, teamLast accuracy
}

// grainHeader names the columns of grainScore.line.
const grainHeader = "firm                      share | rep: WAPE  bias   cov | team: WAPE  bias   cov    n | run_rate rep/team | last_period rep/team"

// merge adds another score's sums.
func (g *grainScore) merge(o *grainScore) {
	for _, p := range [][2]*accuracy{{&g.rep, &o.rep}, {&g.team, &o.team}, {&g.runRate, &o.runRate}, {&g.last, &o.last},
		{&g.teamRunRate, &o.teamRunRate}, {&g.teamLast, &o.teamLast}} {
		p[0].absErr += p[1].absErr
		p[0].err += p[1].err
		p[0].act += p[1].act
		p[0].in += p[1].in
		p[0].n += p[1].n
	}
}

// line renders the score as one row of the report.
func (g *grainScore) line(firm, share string) string {
	cov := func(a accuracy) float64 { return 100 * a.in / math.Max(1, a.n) }
	return fmt.Sprintf("%-25s %5s | %9.3f %+5.2f %4.0f%% | %10.3f %+5.2f %4.0f%% %4.0f | %8.3f/%.3f | %11.3f/%.3f\n",
		firm, share, g.rep.wape(), g.rep.bias(), cov(g.rep), g.team.wape(), g.team.bias(), cov(g.team), g.team.n,
		g.runRate.wape(), g.teamRunRate.wape(), g.last.wape(), g.teamLast.wape())
}

// grainScores returns the backtest's scores by as-of point.
func grainScores(res *Backtest, pts []AsOfPoint) map[string]*grainScore {
	out := map[string]*grainScore{}
	for _, pt := range pts {
		out[pt.Name] = &grainScore{}
	}
	add := func(a *accuracy, p Point) {
		a.add(p.Forecast, p.Actual)
		if p.Actual >= p.Low && p.Actual <= p.High {
			a.in++
		}
	}
	for _, set := range []struct {
		points              []Point
		own, runRate, lastP func(*grainScore) *accuracy
	}{
		{res.Points, func(g *grainScore) *accuracy { return &g.rep }, func(g *grainScore) *accuracy { return &g.runRate }, func(g *grainScore) *accuracy { return &g.last }},
		{res.Teams, func(g *grainScore) *accuracy { return &g.team }, func(g *grainScore) *accuracy { return &g.teamRunRate }, func(g *grainScore) *accuracy { return &g.teamLast }},
	} {
		for _, p := range set.points {
			g := out[p.AsOfPoint]
			switch p.Method {
			case MethodSalesrecipe:
				add(set.own(g), p)
			case MethodRunRate:
				add(set.runRate(g), p)
			case MethodLastPeriod:
				add(set.lastP(g), p)
			}
		}
	}
	return out
}
