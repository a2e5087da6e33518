package forecast

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
)

// splitAt writes the firm's files into two directories: everything known at asOf, and the deal
// versions and activities recorded after it.
func splitAt(t *testing.T, f firm, asOf time.Time) (before, after string) {
	t.Helper()
	before, after = t.TempDir(), t.TempDir()
	known := func(col string) func(map[string]string) bool {
		return func(r map[string]string) bool { return !mustTime(t, r[col]).After(asOf) }
	}
	later := func(col string) func(map[string]string) bool {
		return func(r map[string]string) bool { return mustTime(t, r[col]).After(asOf) }
	}
	for _, name := range []string{"reps.csv", "quotas.csv", "stages.csv"} {
		rewrite(t, f.dir, before, name, func(map[string]string) bool { return true })
	}
	rewrite(t, f.dir, before, "deals.csv", known("updated_at"))
	rewrite(t, f.dir, before, "activities.csv", known("occurred_at"))
	rewrite(t, f.dir, after, "deals.csv", later("updated_at"))
	rewrite(t, f.dir, after, "activities.csv", later("occurred_at"))
	return before, after
}

// forecastJSON forecasts the period as of asOf and returns the JSON form.
func forecastJSON(t *testing.T, fc *Forecaster, p salesrecipe.Period, asOf time.Time, refit bool) string {
	t.Helper()
	out, err := fc.Forecast(context.Background(), Request{Firm: "acme", Period: p, AsOf: asOf, Refit: refit})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLaterDataDoesNotChangeAForecast(t *testing.T) {
	f := generate(t, smallFirm(11))
	asOf := time.Date(2026, 4, 14, 15, 30, 0, 0, time.UTC)
	period, _ := salesrecipe.ParsePeriod("2026-04")
	before, after := splitAt(t, f, asOf)
	st := engine.Store(t, queries.Config{})
	load(t, st, "acme", before)
	fc := &Forecaster{Store: st, Now: clock(time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC))}
	fitter := &Fitter{Store: st, Now: fc.Now}
	fit := func() string {
		m, err := fitter.Fit(context.Background(), "acme", salesrecipe.GrainMonth, asOf)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	fitBefore := fit()
	first := forecastJSON(t, fc, period, asOf, true)

	load(t, st, "acme", after, ingest.KindDeals, ingest.KindActivities)
	if got := fit(); got != fitBefore {
		t.Errorf("loading later data changed the fit as of %s", asOf)
	}
	if got := forecastJSON(t, fc, period, asOf, true); got != first {
		t.Errorf("loading later data changed the refitted forecast as of %s:\nbefore %s\nafter  %s", asOf, first, got)
	}
	if got := forecastJSON(t, fc, period, asOf, false); got != first {
		t.Errorf("the stored recipe gave another forecast:\nbefore %s\nafter  %s", first, got)
	}
	// The later data is really there: a forecast as of the period's end sees it.
	if got := forecastJSON(t, fc, period, period.End(), true); got == first {
		t.Error("a forecast at the end of the period saw nothing new; the test proves nothing")
	}
}
