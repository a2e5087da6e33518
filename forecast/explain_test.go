package forecast

import (
	"context"
	"math"
	"testing"

	"github.com/salesrecipe/salesrecipe"
)

// TestBreakdownAddsUpToTheForecast checks, on every rep, team and firm row of forecasts at many
// moments (before, at the start of, inside and after their periods), that closed won plus the
// pipeline part plus the new-business part is the forecast to the cent, that no part is negative, and
// that the pipeline part is zero where nothing is open and new business zero once the period is over.
func TestBreakdownAddsUpToTheForecast(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	ctx := context.Background()
	fc := fittedMarch(t)
	cases := []struct{ period, asOf string }{
		{"2026-03", "2026-03-01T00:00:00Z"},
		{"2026-03", "2026-03-10T09:00:00Z"},
		{"2026-03", "2026-03-31T23:00:00Z"},
		{"2026-04", "2026-03-20T00:00:00Z"}, // before the period
		{"2026-04", "2026-04-16T12:00:00Z"},
		{"2026-05", "2026-05-05T00:00:00Z"},
		{"2026-05", "2026-05-27T18:30:00Z"},
		{"2026-03", "2026-04-02T00:00:00Z"}, // after the period
		{"2026-Q2", "2026-05-12T00:00:00Z"},
	}
	rows, moved := 0, 0
	for _, c := range cases {
		p, err := salesrecipe.ParsePeriod(c.period)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fc.Forecast(ctx, Request{Firm: "acme", Period: p, AsOf: mustTime(t, c.asOf), NoSave: true})
		if err != nil {
			t.Fatalf("%s as of %s: %v", c.period, c.asOf, err)
		}
		over := !mustTime(t, c.asOf).Before(p.End())
		check := func(who string, m Money) {
			t.Helper()
			rows++
			if m.FromPipeline+m.FromNewBusiness > 0 {
				moved++
			}
			if sum := cents(m.ClosedWon) + cents(m.FromPipeline) + cents(m.FromNewBusiness); sum != cents(m.Forecast) {
				t.Errorf("%s %s as of %s: %.2f + %.2f + %.2f = %.2f, forecast %.2f", c.period, who, c.asOf,
					m.ClosedWon, m.FromPipeline, m.FromNewBusiness, sum/100, m.Forecast)
			}
			if m.FromPipeline < 0 || m.FromNewBusiness < 0 {
				t.Errorf("%s %s as of %s: a negative part %+v", c.period, who, c.asOf, m)
			}
			if m.PipelineOpen == 0 && m.FromPipeline > 0 && !hasOpenOutside(out) {
				t.Errorf("%s %s as of %s: %.2f from a pipeline of nothing", c.period, who, c.asOf, m.FromPipeline)
			}
			if over && (m.FromPipeline != 0 || m.FromNewBusiness != 0) {
				t.Errorf("%s %s as of %s, after the period: parts %.2f + %.2f", c.period, who, c.asOf, m.FromPipeline, m.FromNewBusiness)
			}
		}
		for _, r := range out.Reps {
			check("rep "+r.RepID, r.Money)
		}
		for _, tm := range out.Teams {
			check("team "+tm.Team, tm.Money)
		}
		check("firm", out.FirmTotal.Money)
	}
	if moved < rows/2 {
		t.Fatalf("only %d of %d rows have a pipeline or new-business part: the test does not test", moved, rows)
	}
	t.Logf("%d rows add up, %d with a pipeline or new-business part", rows, moved)
}

// fittedMarch returns a forecaster over a small firm in memory with a model fitted for quarters (the
// monthly model with its quarter levels) at 2026-03-01.
func fittedMarch(t *testing.T) *Forecaster {
	t.Helper()
	st := memory(t, "acme", generate(t, smallFirm(5)).dir)
	fitAt := mustTime(t, "2026-03-01T00:00:00Z")
	m, err := (&Fitter{Store: st, Now: clock(fitAt)}).Fit(context.Background(), "acme", salesrecipe.GrainQuarter, fitAt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Grain != salesrecipe.GrainMonth || m.Quarter == nil || len(m.Quarter.Grid) == 0 {
		t.Fatalf("a fit for quarters: grain %s, quarter levels %+v", m.Grain, m.Quarter)
	}
	if err := (&Fitter{Store: st}).Save(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return &Forecaster{Store: st, Now: clock(mustTime(t, "2026-06-01T00:00:00Z"))}
}

// hasOpenOutside reports whether the forecast may count deals expected to close outside the period
// (pulled in): their pipeline part is not in PipelineOpen.
func hasOpenOutside(fc *Forecast) bool {
	for _, r := range fc.Reps {
		if r.Parts.PipelinePulledIn > 0 {
			return true
		}
	}
	return false
}

// TestSplitPointIsTheBandMeanOfEachPart checks the decomposition on hand-made draws: the weights
// reproduce pointOf, and each part is its weighted share within the band.
func TestSplitPointIsTheBandMeanOfEachPart(t *testing.T) {
	for _, n := range []int{1, 2, 7, 500} {
		d := drawSet{pipeline: make([]float64, n), fresh: make([]float64, n)}
		for i := range n {
			d.pipeline[i] = float64((i * 37) % 11 * 100)
			d.fresh[i] = float64((i * 53) % 7 * 250)
		}
		draws := d.totals(1000)
		for _, level := range []float64{0.1, 0.5, 0.63, 0.9} {
			point := pointOf(sorted(draws), level)
			b := splitPoint(draws, d, 1000, point, level)
			if got := 1000 + b.pipeline + b.fresh; math.Abs(got-point) > 1e-6 {
				t.Errorf("n=%d level %.2f: 1000 + %.4f + %.4f = %.4f, point %.4f", n, level, b.pipeline, b.fresh, got, point)
			}
			w := bandWeights(n, level, pointBand)
			s := sorted(draws)
			direct := 0.0
			for k := range w {
				direct += w[k] * s[k]
			}
			if math.Abs(direct-point) > 1e-6 {
				t.Errorf("n=%d level %.2f: weights give %.4f, pointOf %.4f", n, level, direct, point)
			}
		}
	}
	if b := splitPoint([]float64{5, 5}, drawSet{pipeline: []float64{0, 0}, fresh: []float64{0, 0}}, 5, 5, 0.5); b != (breakdown{}) {
		t.Errorf("nothing to come: %+v", b)
	}
}

// TestQuarterIsTheSumOfItsMonths forecasts a quarter from the monthly model at moments before, inside
// and after it, and checks it against its months: after the quarter it is what was won, with a
// zero-width interval; in its last month it is what the first two months won plus about the last
// month's own forecast (the same model and features, other random numbers); before it, between its
// largest month's forecast and the months' forecasts summed. Every moment's interval holds its point and is wider than zero
// while something is still to come.
func TestQuarterIsTheSumOfItsMonths(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	ctx := context.Background()
	fc := fittedMarch(t)
	firm := func(period, asOf string) Money {
		t.Helper()
		p, err := salesrecipe.ParsePeriod(period)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fc.Forecast(ctx, Request{Firm: "acme", Period: p, AsOf: mustTime(t, asOf), NoSave: true})
		if err != nil {
			t.Fatal(err)
		}
		m := out.FirmTotal.Money
		if m.Low > m.Forecast || m.High < m.Forecast {
			t.Errorf("%s as of %s: interval %.0f-%.0f misses the point %.0f", period, asOf, m.Low, m.High, m.Forecast)
		}
		return m
	}
	// After the quarter: what its months won.
	after := firm("2026-Q1", "2026-04-03T00:00:00Z")
	won := 0.0
	for _, mo := range []string{"2026-01", "2026-02", "2026-03"} {
		won += firm(mo, "2026-04-03T00:00:00Z").ClosedWon
	}
	if math.Abs(after.Forecast-won) > 0.01 || after.Low != after.High {
		t.Errorf("Q1 after its end: %.2f [%.2f, %.2f], its months won %.2f", after.Forecast, after.Low, after.High, won)
	}
	// In the last month: the earlier months' won plus the month's forecast.
	at := "2026-03-12T10:00:00Z"
	q := firm("2026-Q1", at)
	mar := firm("2026-03", at)
	earlier := firm("2026-01", at).ClosedWon + firm("2026-02", at).ClosedWon
	if math.Abs(q.ClosedWon-(earlier+mar.ClosedWon)) > 0.01 {
		t.Errorf("Q1 closed %.2f, months %.2f + %.2f", q.ClosedWon, earlier, mar.ClosedWon)
	}
	if want := earlier + mar.Forecast; math.Abs(q.Forecast-want) > 0.05*want {
		t.Errorf("Q1 in March: %.0f, Jan+Feb won + March's forecast %.0f", q.Forecast, want)
	}
	if !(q.High > q.Low) {
		t.Errorf("Q1 in March: zero-width interval %.0f-%.0f with March to come", q.Low, q.High)
	}
	// Before the quarter: more than its largest month's forecast and less than the months' forecasts
	// summed (each month's forecast counts every open deal that may be won by its end, so their sum
	// counts a deal up to three times).
	before := "2026-03-25T00:00:00Z"
	q2 := firm("2026-Q2", before)
	sum, largest := 0.0, 0.0
	for _, mo := range []string{"2026-04", "2026-05", "2026-06"} {
		v := firm(mo, before).Forecast
		sum, largest = sum+v, max(largest, v)
	}
	if q2.ClosedWon != 0 || !(q2.Forecast > largest && q2.Forecast < sum) || !(q2.High > q2.Low) {
		t.Errorf("Q2 before it: %.0f [%.0f, %.0f], its months' forecasts: largest %.0f, sum %.0f", q2.Forecast, q2.Low, q2.High, largest, sum)
	}
	won2 := firm("2026-Q2", "2026-07-02T00:00:00Z").ClosedWon
	t.Logf("Q1 after %.0f; in March %.0f (Jan+Feb %.0f + March %.0f); Q2 before %.0f [%.0f, %.0f] (months %.0f-%.0f), won %.0f",
		after.Forecast, q.Forecast, earlier, mar.Forecast, q2.Forecast, q2.Low, q2.High, largest, sum, won2)
}
