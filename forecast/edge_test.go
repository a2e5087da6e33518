package forecast

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/model"
)

// hasNote reports whether any note contains part.
func hasNote(notes []string, part string) bool {
	for _, n := range notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// repRowOf finds a rep's row.
func repRowOf(fc *Forecast, id string) (RepRow, bool) {
	for _, r := range fc.Reps {
		if r.RepID == id {
			return r, true
		}
	}
	return RepRow{}, false
}

func TestAwkwardCasesGiveLabelledAnswers(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	f := generate(t, smallFirm(12))
	dir := t.TempDir()
	for _, name := range []string{"activities.csv", "deals.csv"} {
		rewrite(t, f.dir, dir, name, func(map[string]string) bool { return true })
	}
	rewrite(t, f.dir, dir, "quotas.csv", func(r map[string]string) bool { return r["rep_id"] != "r0002" })
	rewrite(t, f.dir, dir, "reps.csv", func(map[string]string) bool { return true })
	appendLine(t, filepath.Join(dir, "reps.csv"), "r9999,New Hire,new.hire@example.com,East,r0001")
	appendLine(t, filepath.Join(dir, "quotas.csv"), "r9999,2026-05-01,month,30000.00")
	st := memory(t, "acme", dir, ingest.KindReps, ingest.KindQuotas, ingest.KindActivities, ingest.KindDeals) // no stages file
	fc := &Forecaster{Store: st, Now: clock(time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC))}
	ctx := context.Background()
	may, _ := salesrecipe.ParsePeriod("2026-05")
	out, err := fc.Forecast(ctx, Request{Firm: "acme", Period: may, AsOf: time.Date(2026, 5, 16, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, out)
	if !hasNote(out.Notes, "no stages file") {
		t.Errorf("no label for the missing stages file: %q", out.Notes)
	}
	noQuota, ok := repRowOf(out, "r0002")
	if !ok || noQuota.Quota != nil || noQuota.Attainment != nil || noQuota.Gap != nil || noQuota.Coverage != nil || !hasNote(noQuota.Notes, "no quota") {
		t.Errorf("rep without quota: %+v", noQuota)
	}
	hire, ok := repRowOf(out, "r9999")
	if !ok || hire.Quota == nil || *hire.Quota != 30000 || !hasNote(hire.Notes, "no history") || hire.Forecast < 0 || hire.High < hire.Low {
		t.Errorf("rep without history: %+v", hire)
	}
	for _, p := range []struct{ period, asOf string }{{"2030-01", "2030-01-10T00:00:00Z"}, {"2019-02", "2026-05-16T00:00:00Z"}} {
		period, _ := salesrecipe.ParsePeriod(p.period)
		empty, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: mustTime(t, p.asOf), NoSave: true})
		if err != nil {
			t.Fatalf("%s: %v", p.period, err)
		}
		b := mustJSON(t, empty)
		if !hasNote(empty.Notes, "no data for "+p.period) || empty.FirmTotal.Forecast != 0 || empty.FirmTotal.High != 0 {
			t.Errorf("%s as of %s: notes %q, total %+v\n%s", p.period, p.asOf, empty.Notes, empty.FirmTotal, b)
		}
	}
}

// appendLine appends one line to a file.
func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// mustJSON encodes v, failing on NaN or infinities.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return string(b)
}

func TestThinHistorySaysWhatIsMissing(t *testing.T) {
	cfg := smallFirm(13)
	cfg.Months = 4
	f := generate(t, cfg)
	st := memory(t, "acme", f.dir)
	ctx := context.Background()
	asOf := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	_, err := (&Fitter{Store: st}).Fit(ctx, "acme", salesrecipe.GrainMonth, asOf)
	var thin *model.ThinDataError
	if !errors.As(err, &thin) || thin.Have >= thin.Need || thin.What == "" {
		t.Fatalf("want a thin-data error naming what is missing, got %v", err)
	}
	// A forecast still answers from closed won and the pipeline, and says why.
	may, _ := salesrecipe.ParsePeriod("2026-05")
	out, err := (&Forecaster{Store: st}).Forecast(ctx, Request{Firm: "acme", Period: may, AsOf: asOf, NoSave: true})
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, out)
	if !hasNote(out.Notes, "no recipe") || len(out.Reps) == 0 || out.FirmTotal.Forecast < out.FirmTotal.ClosedWon {
		t.Errorf("thin forecast: notes %q, %d reps, total %+v", out.Notes, len(out.Reps), out.FirmTotal)
	}
	if _, err := (&Fitter{Store: st}).Fit(ctx, "nobody", salesrecipe.GrainMonth, asOf); !errors.As(err, &thin) {
		t.Fatalf("a firm without data: %v", err)
	}
}
