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
	f := generate(t, smallFirm(5))
	st := memory(t, "acme", f.dir)
	ctx := context.Background()
	fitAt := mustTime(t, "2026-03-01T00:00:00Z")
	if _, err := (&Fitter{Store: st, Now: clock(fitAt)}).Fit(ctx, "acme", salesrecipe.GrainMonth, fitAt); err != nil {
		t.Fatal(err)
	}
	fc := &Forecaster{Store: st, Now: clock(mustTime(t, "2026-06-01T00:00:00Z"))}
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
