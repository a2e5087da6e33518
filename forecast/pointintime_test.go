package forecast

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// TestLaterDataDoesNotChangeAForecast is the forecast's end-to-end test through the store: a fit, a
// refitted forecast and a forecast from the stored recipe as of a moment are the same before and
// after later data is loaded, and the same as the forecast from the same rows in memory; with
// activities, and deals only (the recipe's new opportunities counted only once their deal is known).
func TestLaterDataDoesNotChangeAForecast(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency (50 s under -race): make test runs it without the race detector")
	}
	t.Run("with activities", func(t *testing.T) { laterDataCase(t, ingest.Kinds()) })
	t.Run("deals only", func(t *testing.T) { laterDataCase(t, dealsOnly) })
}

// laterDataCase is TestLaterDataDoesNotChangeAForecast loading the files of the given kinds.
func laterDataCase(t *testing.T, kinds []ingest.Kind) {
	cfg := smallFirm(11)
	cfg.Reps = 12 // enough for a measurable recipe and every path; the cost under -race grows with reps
	f := generate(t, cfg)
	asOf := time.Date(2026, 4, 14, 15, 30, 0, 0, time.UTC)
	period, _ := salesrecipe.ParsePeriod("2026-04")
	before, after := splitAt(t, f, asOf)
	st := engine.Store(t, queries.Config{})
	load(t, st, "acme", before, kinds...)
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
	// The logic tests run on the rows in memory: from the same rows they forecast the same.
	inMemory := &Forecaster{Store: memory(t, "acme", before, kinds...), Now: fc.Now}
	if got := forecastJSON(t, inMemory, period, asOf, true); got != first {
		t.Errorf("the forecast from the rows in memory differs from the store's:\nstore  %s\nmemory %s", first, got)
	}

	later := []ingest.Kind{ingest.KindDeals}
	if slices.Contains(kinds, ingest.KindActivities) {
		later = append(later, ingest.KindActivities)
	}
	load(t, st, "acme", after, later...)
	if got := fit(); got != fitBefore {
		t.Errorf("loading later data changed the fit as of %s", asOf)
	}
	if got := forecastJSON(t, fc, period, asOf, true); got != first {
		t.Errorf("loading later data changed the refitted forecast as of %s:\nbefore %s\nafter  %s", asOf, first, got)
	}
	if got := forecastJSON(t, fc, period, asOf, false); got != first {
		t.Errorf("the stored recipe gave another forecast:\nbefore %s\nafter  %s", first, got)
	}
	// The later data is really there: a forecast as of the period's end (from the stored recipe) sees it.
	if got := forecastJSON(t, fc, period, period.End(), false); got == first {
		t.Error("a forecast at the end of the period saw nothing new; the test proves nothing")
	}
}

// TestStoreAndBookAgreeOnOpenDeals checks the two reads of open deals against each other: the
// forecast's read of one moment's deals (period_deal_versions.sql, only the deals open or won then)
// and the book of the whole history the fits and backtests use give the same deals with the same
// stage, amount, close date, creation, time in stage and pushes.
func TestStoreAndBookAgreeOnOpenDeals(t *testing.T) {
	cfg := smallFirm(5)
	f := generate(t, cfg)
	st := engine.Store(t, queries.Config{})
	load(t, st, "acme", f.dir)
	ctx := context.Background()
	fd, err := st.FirmData(ctx, "acme", cfg.End, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := newBook(fd)
	for _, at := range []time.Time{mustTime(t, "2026-03-17T09:41:13Z"), mustTime(t, "2026-05-30T23:59:59Z")} {
		p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, at)
		_, _, fromStore, err := storeReader{st: st, firm: "acme"}.deals(ctx, p, at)
		if err != nil {
			t.Fatal(err)
		}
		fromBook := b.open(at, amountWindow(p.Grain, at))
		key := func(d openDeal) string {
			return fmt.Sprintf("%s|%s|%.2f|%s|%s|%s|%d", d.RepID, d.Stage, d.Amount, d.CloseDate.Format(time.DateOnly),
				d.Created.UTC().Format(time.RFC3339Nano), d.StageSince.UTC().Format(time.RFC3339Nano), d.Pushes)
		}
		var a, bk []string
		for _, d := range fromStore {
			a = append(a, key(d))
		}
		for _, d := range fromBook {
			bk = append(bk, key(d))
		}
		slices.Sort(a)
		slices.Sort(bk)
		if len(a) == 0 {
			t.Fatalf("as of %s: no open deals to compare", at)
		}
		if !slices.Equal(a, bk) {
			for i := range min(len(a), len(bk)) {
				if a[i] != bk[i] {
					t.Fatalf("as of %s: %d open deals from the store, %d from the book; first difference:\nstore %s\nbook  %s", at, len(a), len(bk), a[i], bk[i])
				}
			}
			t.Fatalf("as of %s: %d open deals from the store, %d from the book", at, len(a), len(bk))
		}
		pushed := 0
		for _, d := range fromBook {
			if d.Pushes > 0 {
				pushed++
			}
		}
		if pushed == 0 {
			t.Errorf("as of %s: no open deal was ever pushed; the comparison does not cover pushes", at)
		}
	}
}
