//go:build !race

// The smoothness test forecasts one period hour by hour: numbers, not concurrency, so like the
// quality tests it is left out of the race-detector run and run on its own by make test.

package forecast

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Bounds on how a forecast may move between moments an hour apart with no deal or activity event
// between them: the firm's forecast by less than maxHourlyMove; a rep's by less than maxRepHourlyMove
// of the larger of their forecast and the firm's average rep forecast; and neither's hourly move may
// change from one hour to the next by maxHourlyStep or more (a step, such as a jump at a grid share or
// a day boundary, shows there). A rep whose forecast is only the new business still to come has it
// fall by about 2/(1-share) of itself per period as the time to create and close deals runs out
// (about 0.5% of it an hour mid-month), which is right, hence the rep bound's wider margin.
const (
	maxHourlyMove    = 0.005
	maxRepHourlyMove = 0.01
	maxHourlyStep    = 0.0025
)

// TestForecastMovesSmoothlyWithoutEvents forecasts one period hour by hour across midnights and the
// combination's grid share 0.5, with one stored model, and checks that between moments with no new
// deal version or activity no rep's forecast and not the firm's moves by 0.5% or more.
func TestForecastMovesSmoothlyWithoutEvents(t *testing.T) {
	cfg := smallFirm(7)
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir)
	ctx := context.Background()
	period, _ := salesrecipe.ParsePeriod("2026-05")
	first := mustTime(t, "2026-05-15T20:13:00Z") // share 0.5 of May is the 16th at 12:00
	last := first.Add(20 * time.Hour)
	if _, err := (&Fitter{Store: st, Now: clock(first)}).Fit(ctx, "acme", salesrecipe.GrainMonth, first); err != nil {
		t.Fatal(err)
	}
	fc := &Forecaster{Store: st, Now: clock(last)}
	versions := updateTimes(t, st, last)
	var run []*Forecast // consecutive forecasts with no event between them
	quiet, moved := 0, 0.0
	for at := first; !at.After(last); at = at.Add(time.Hour) {
		out, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: at, NoSave: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(run) > 0 && eventBetween(t, st, versions, at.Add(-time.Hour), at) {
			run = run[:0]
		}
		run = append(run, out)
		if n := len(run); n >= 2 {
			quiet++
			moved = math.Max(moved, relMove(run[n-2].FirmTotal.Forecast, out.FirmTotal.Forecast, 100))
			checkHourlyMoves(t, run[n-2], out)
		}
		if n := len(run); n >= 3 {
			checkHourlySteps(t, run[n-3], run[n-2], out)
		}
	}
	if quiet < 10 {
		t.Fatalf("only %d quiet hours in the window: the test does not test", quiet)
	}
	checkRefitPair(t, st, versions, period, first, last)
	t.Logf("%d quiet hours; the firm's largest hourly move %.4f%%", quiet, 100*moved)
}

// checkHourlyMoves fails where the firm's forecast moved by maxHourlyMove or more, or a rep's by
// maxRepHourlyMove of their scale or more.
func checkHourlyMoves(t *testing.T, a, b *Forecast) {
	t.Helper()
	if m := relMove(a.FirmTotal.Forecast, b.FirmTotal.Forecast, 100); m >= maxHourlyMove {
		t.Errorf("%s to %s: firm forecast %.2f -> %.2f (%.3f%%)", a.AsOf, b.AsOf, a.FirmTotal.Forecast, b.FirmTotal.Forecast, 100*m)
	}
	before, scale := repForecasts(a), repScale(a)
	for _, r := range b.Reps {
		if m := relMove(before[r.RepID], r.Forecast, scale); m >= maxRepHourlyMove {
			t.Errorf("%s to %s: %s's forecast %.2f -> %.2f (%.3f%% of %.2f)", a.AsOf, b.AsOf, r.RepID, before[r.RepID], r.Forecast, 100*m, math.Max(scale, r.Forecast))
		}
	}
}

// checkHourlySteps fails where the hourly move of a rep's or the firm's forecast changed from one hour
// to the next by maxHourlyStep or more.
func checkHourlySteps(t *testing.T, a, b, c *Forecast) {
	t.Helper()
	step := func(x, y, z, scale float64) float64 { return math.Abs((z-y)-(y-x)) / math.Max(scale, math.Abs(y)) }
	if s := step(a.FirmTotal.Forecast, b.FirmTotal.Forecast, c.FirmTotal.Forecast, 100); s >= maxHourlyStep {
		t.Errorf("%s: the firm forecast's hourly move changed by %.3f%%", b.AsOf, 100*s)
	}
	fa, fb, scale := repForecasts(a), repForecasts(b), repScale(b)
	for _, r := range c.Reps {
		if s := step(fa[r.RepID], fb[r.RepID], r.Forecast, scale); s >= maxHourlyStep {
			t.Errorf("%s: %s's hourly move changed by %.3f%% (%.2f, %.2f, %.2f)", b.AsOf, r.RepID, 100*s, fa[r.RepID], fb[r.RepID], r.Forecast)
		}
	}
}

// repForecasts returns each rep's forecast by id.
func repForecasts(f *Forecast) map[string]float64 {
	out := map[string]float64{}
	for _, r := range f.Reps {
		out[r.RepID] = r.Forecast
	}
	return out
}

// repScale returns the firm's average rep forecast, at least $100.
func repScale(f *Forecast) float64 {
	return math.Max(100, f.FirmTotal.Forecast/float64(max(1, len(f.Reps))))
}

// relMove returns |b - a| relative to the larger of |a|, |b| and scale.
func relMove(a, b, scale float64) float64 {
	return math.Abs(b-a) / math.Max(scale, math.Max(math.Abs(a), math.Abs(b)))
}

// updateTimes returns when each deal version known at at was recorded.
func updateTimes(t *testing.T, st Store, at time.Time) []time.Time {
	t.Helper()
	fd, err := st.FirmData(context.Background(), "acme", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]time.Time, len(fd.Versions))
	for i, v := range fd.Versions {
		out[i] = salesrecipe.TimeOf(v.Updated)
	}
	return out
}

// eventBetween reports whether a deal version (recorded at one of versions) or an activity was
// recorded in (from, to].
func eventBetween(t *testing.T, st Store, versions []time.Time, from, to time.Time) bool {
	t.Helper()
	for _, v := range versions {
		if v.After(from) && !v.After(to) {
			return true
		}
	}
	count := func(at time.Time) uint64 {
		c, err := st.ActivityCounts(context.Background(), "acme", salesrecipe.GrainMonth, from.AddDate(0, -1, 0), to.AddDate(0, 1, 0), at)
		if err != nil {
			t.Fatal(err)
		}
		n := uint64(0)
		for _, x := range c {
			n += uint64(x.N)
		}
		return n
	}
	return count(from) != count(to)
}

// checkRefitPair refits at the first two moments an hour apart with no event between them (as
// `forecast --refit` does) and checks that the two forecasts move no more than the stored model's.
func checkRefitPair(t *testing.T, st Store, versions []time.Time, period salesrecipe.Period, first, last time.Time) {
	t.Helper()
	ctx := context.Background()
	for at := first.Add(time.Hour); !at.After(last); at = at.Add(time.Hour) {
		if eventBetween(t, st, versions, at.Add(-time.Hour), at) {
			continue
		}
		var out [2]*Forecast
		for i, m := range []time.Time{at.Add(-time.Hour), at} {
			fc := &Forecaster{Store: st, Now: clock(last)}
			f, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: m, Refit: true, NoSave: true})
			if err != nil {
				t.Fatal(err)
			}
			out[i] = f
		}
		checkHourlyMoves(t, out[0], out[1])
		return
	}
	t.Fatal("no quiet hour to refit at")
}
