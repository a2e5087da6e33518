//go:build !race

// The quality tests backtest whole synthetic firms: numbers, not concurrency, so they are left out
// of the race-detector run (which slows them several times) and run on their own by make test.

package forecast

import (
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
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

// qualityFirm is one synthetic firm the quality tests backtest.
type qualityFirm struct {
	name    string
	cfg     synth.Config
	periods int           // periods backtested, ending with the last complete one
	kinds   []ingest.Kind // the files loaded; nil loads them all
}

// qualityEnd is the end of every quality firm's history.
var qualityEnd = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// catalogueFirm returns the generator's named firm ending at qualityEnd.
func catalogueFirm(t testing.TB, name string, periods int) qualityFirm {
	t.Helper()
	for _, m := range synth.Mechanics() {
		if m.Name == name {
			cfg := m.Config
			cfg.End = qualityEnd
			return qualityFirm{name: name, cfg: cfg, periods: periods}
		}
	}
	t.Fatalf("no firm %q in the generator's catalogue", name)
	return qualityFirm{}
}

// qualityFirms are the firms the quality test asserts on: the hard case for a learned model (a stages
// file about right, so the stage-weighted baseline is good), a file far off, outcomes the stage does
// not predict, and revenue arriving months after the activity.
func qualityFirms(t testing.TB) []qualityFirm {
	var out []qualityFirm
	for _, name := range []string{"stages-right", "file-far-off", "stage-blind", "late-delays"} {
		out = append(out, catalogueFirm(t, name, 6))
	}
	return out
}

// Per-share bounds the combined forecast must meet on every quality firm. The targets are
// 0.92 (20-60%) and 0.70 (80%) of the best baseline's rep WAPE; BENCHMARKS.md reports how far each
// firm is from them and how far from the error an oracle told the generator's mechanics would make.
// These bounds hold what is reached today (at most 0.94, 0.89, 0.88 and 0.88) with a small margin,
// so that no change makes it worse.
var (
	maxRatio    = map[string]float64{"20%": 0.96, "40%": 0.92, "60%": 0.91, "80%": 0.91}
	minCoverage = 0.70
	maxCoverage = 0.88
)

func TestBacktestQualityAcrossFirms(t *testing.T) {
	if testing.Short() {
		t.Skip("backtests several synthetic firms; skipped with -short")
	}
	firms := qualityFirms(t)
	tables := make([]string, len(firms)) // each firm's table, logged in order once every firm is done
	t.Cleanup(func() { t.Log("\n" + strings.Join(tables, "")) })
	for i, qf := range firms {
		t.Run(qf.name, func(t *testing.T) {
			t.Parallel() // independent firms in memory: both cores instead of one
			pts := DefaultPoints(4)
			res := backtestFirm(t, qf, pts)
			scores := shareScores(res, pts)
			tables[i] = shareTable(qf.name, scores)
			for _, s := range scores {
				if r := s.Ratio(); r > maxRatio[s.Point] {
					t.Errorf("%s at %s: rep WAPE %.3f is %.2fx the best baseline (%s %.3f), above %.2fx", qf.name, s.Point, s.Own, r, s.BestName, s.Best, maxRatio[s.Point])
				}
				if s.Coverage < minCoverage || s.Coverage > maxCoverage {
					t.Errorf("%s at %s: 80%% intervals cover %.1f%% of outcomes, want %.0f-%.0f%%", qf.name, s.Point, 100*s.Coverage, 100*minCoverage, 100*maxCoverage)
				}
			}
		})
	}
}

// backtestFirm reads the firm into memory and backtests its last periods at the points.
func backtestFirm(t testing.TB, qf qualityFirm, pts []AsOfPoint) *Backtest {
	t.Helper()
	f := generate(t, qf.cfg)
	st := memory(t, "acme", f.dir, qf.kinds...)
	to := salesrecipe.NewPeriod(salesrecipe.GrainMonth, qf.cfg.End).Prev()
	from := to
	for range qf.periods - 1 {
		from = from.Prev()
	}
	res, err := (&Backtester{Store: st, Now: clock(qf.cfg.End)}).Run(context.Background(), BacktestRequest{Firm: "acme", From: from, To: to, Points: pts})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEvaluateFirms backtests every firm of the generator's catalogue (and older mid-market, lumpy and
// high-velocity firms) at off-grid shares and prints one line per firm and share; it runs only with
// SALESRECIPE_EVAL set (comma-separated firm name substrings, or "all"), as a measuring tool.
// SALESRECIPE_EVAL_SHAPE=deals-only loads every firm without its activities.
func TestEvaluateFirms(t *testing.T) {
	filter := os.Getenv("SALESRECIPE_EVAL")
	if filter == "" {
		t.Skip("set SALESRECIPE_EVAL=all (or comma-separated firm name substrings) to run the evaluation")
	}
	months := 6
	if v, err := strconv.Atoi(os.Getenv("SALESRECIPE_EVAL_MONTHS")); err == nil && v > 0 {
		months = v
	}
	var report strings.Builder
	for _, qf := range evalFirms(months) {
		if os.Getenv("SALESRECIPE_EVAL_SHAPE") == "deals-only" {
			qf.kinds, qf.name = dealsOnly, qf.name+" deals-only"
		}
		if filter != "all" && !slices.ContainsFunc(strings.Split(filter, ","), func(f string) bool { return strings.Contains(qf.name, f) }) {
			continue
		}
		pts := DefaultPoints(4)
		start := time.Now()
		res := backtestFirm(t, qf, pts)
		report.WriteString(shareTable(qf.name, shareScores(res, pts)))
		t.Logf("%s: %s", qf.name, time.Since(start).Round(time.Millisecond))
	}
	t.Log("\n" + report.String())
}

// evalFirms are the generator's catalogue plus mid-market, lumpy and high-velocity firms of other seeds.
func evalFirms(months int) []qualityFirm {
	mid := synth.DefaultConfig()
	mid.Reps, mid.Months, mid.End = 30, 30, qualityEnd
	a, b := mid, mid
	a.Seed, b.Seed = 21, 22
	lumpy := mid
	lumpy.Seed, lumpy.AmountSigma, lumpy.ActivitiesPerDay = 23, 0.9, 5
	fast := synth.HighVelocityConfig()
	fast.Seed, fast.Reps, fast.Months, fast.End, fast.ActivitiesPerDay = 24, 16, 24, qualityEnd, 15
	out := []qualityFirm{{name: "mid-market seed 21", cfg: a, periods: months}, {name: "mid-market seed 22", cfg: b, periods: months},
		{name: "lumpy deals seed 23", cfg: lumpy, periods: months}, {name: "high velocity seed 24", cfg: fast, periods: months}}
	for _, m := range synth.Mechanics() {
		cfg := m.Config
		cfg.End = qualityEnd
		out = append(out, qualityFirm{name: m.Name, cfg: cfg, periods: months})
	}
	return reseeded(out, os.Getenv("SALESRECIPE_EVAL_SEED"))
}

// reseeded adds an offset (an integer in text; none when empty) to every firm's seed and names the
// firms by it, so that the evaluation can be repeated on other draws of the same mechanics.
func reseeded(firms []qualityFirm, offset string) []qualityFirm {
	off, err := strconv.ParseInt(offset, 10, 64)
	if err != nil || off == 0 {
		return firms
	}
	for i := range firms {
		firms[i].cfg.Seed += off
		firms[i].name = fmt.Sprintf("%s +%d", firms[i].name, off)
	}
	return firms
}

// shareScore is the combined forecast's accuracy at one elapsed share beside the best baseline.
type shareScore struct {
	Point            string
	Own, Best        float64
	BestName         string
	Coverage         float64
	RecipeOnly, Pipe float64
	RunRate, Last    float64
}

// Ratio returns the combined forecast's WAPE over the best baseline's.
func (s shareScore) Ratio() float64 { return s.Own / s.Best }

// shareScores extracts, per as-of point in order, the combined forecast's scores and the best baseline.
func shareScores(res *Backtest, points []AsOfPoint) []shareScore {
	by := map[[2]string]Score{}
	for _, s := range res.Methods {
		by[[2]string{s.Method, s.AsOfPoint}] = s
	}
	var out []shareScore
	for _, pt := range points {
		own := by[[2]string{MethodSalesrecipe, pt.Name}]
		s := shareScore{Point: pt.Name, Own: own.RepWAPE, Best: math.Inf(1), RecipeOnly: by[[2]string{MethodRecipeOnly, pt.Name}].RepWAPE,
			Pipe: by[[2]string{MethodPipelineOnly, pt.Name}].RepWAPE, RunRate: by[[2]string{MethodRunRate, pt.Name}].RepWAPE,
			Last: by[[2]string{MethodLastPeriod, pt.Name}].RepWAPE}
		if own.IntervalCoverage != nil {
			s.Coverage = *own.IntervalCoverage
		}
		for _, b := range Baselines() {
			if w := by[[2]string{b, pt.Name}].RepWAPE; w < s.Best {
				s.Best, s.BestName = w, b
			}
		}
		out = append(out, s)
	}
	return out
}

// shareTable renders share scores as one line each.
func shareTable(firm string, scores []shareScore) string {
	var b strings.Builder
	for _, s := range scores {
		fmt.Fprintf(&b, "%-22s %5s  salesrecipe %.3f  best %-14s %.3f  ratio %.2f  coverage %3.0f%%  (recipe_only %.3f, pipeline_only %.3f, run_rate %.3f, last_period %.3f)\n",
			firm, s.Point, s.Own, s.BestName, s.Best, s.Ratio(), 100*s.Coverage, s.RecipeOnly, s.Pipe, s.RunRate, s.Last)
	}
	return b.String()
}

// TestQuarterTeamCalibration backtests the seasonal mechanics firm's last four quarters at 20% and
// 60% of each and checks the 80% intervals of reps and of teams (the reps' summed quarter draws,
// with the shared factors and the team levels learned by backtesting quarters) cover about 80% of
// outcomes: a team's quarters had been covered 45-60% of the time when its reps' later months were
// drawn as if independent and the team levels were the monthly defaults. The bounds hold what is
// reached today (rep 79%, team 91% pooled, no share under 88%) with a margin.
func TestQuarterTeamCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("backtests a synthetic firm's quarters; skipped with -short")
	}
	qf := catalogueFirm(t, "seasonal", 0)
	pts := []AsOfPoint{SharePoint(0.2), SharePoint(0.6)}
	res := backtestGrain(t, qf.cfg, salesrecipe.GrainQuarter, 4, pts)
	scores := grainScores(res, pts)
	var pooled grainScore
	for _, pt := range pts {
		s := scores[pt.Name]
		pooled.merge(s)
		t.Logf("%s", s.line("seasonal", pt.Name))
		if c := s.team.in / s.team.n; s.team.n < 16 || c < 0.65 {
			t.Errorf("at %s: team intervals cover %.0f%% of %.0f team-quarters, want at least 65%% of 16 or more", pt.Name, 100*c, s.team.n)
		}
	}
	if c := pooled.rep.in / pooled.rep.n; c < 0.70 || c > 0.90 {
		t.Errorf("rep intervals cover %.1f%% of rep-quarters, want 70-90%%", 100*c)
	}
	if c := pooled.team.in / pooled.team.n; c < 0.70 || c > 0.97 {
		t.Errorf("team intervals cover %.1f%% of team-quarters, want 70-97%%", 100*c)
	}
}
