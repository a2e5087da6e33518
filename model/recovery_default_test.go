package model_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/model"
)

// TestRecoveryDefaultFirm measures, on the default (mid-market) synth firm read from its CSV rows, how close each
// kind's fitted value comes to truth.json and how often the 80% intervals cover it, over several seeds. The issue's
// targets are within 15% at 1,000 reps and within 25% at 100 reps, and under 2% of fitted revenue for a kind with no
// effect. It only measures and logs (the default firm's noise keeps some kinds short of the targets; see the synth
// package doc): SALESRECIPE_RECOVERY_REPS=1000 sets the size, SALESRECIPE_RECOVERY_SEEDS the number of seeds
// and SALESRECIPE_RECOVERY_FIRST_SEED the first.
func TestRecoveryDefaultFirm(t *testing.T) {
	reps, _ := strconv.Atoi(os.Getenv("SALESRECIPE_RECOVERY_REPS"))
	if reps == 0 {
		t.Skip("set SALESRECIPE_RECOVERY_REPS (e.g. 100 or 1000) to measure recovery on the default synth firm")
	}
	seeds, _ := strconv.Atoi(os.Getenv("SALESRECIPE_RECOVERY_SEEDS"))
	seeds = max(seeds, 4)
	first, _ := strconv.Atoi(os.Getenv("SALESRECIPE_RECOVERY_FIRST_SEED"))
	first = max(first, 1)
	covered, intervals := 0, 0
	within := map[string]int{}
	for seed := int64(first); seed < int64(first+seeds); seed++ {
		cfg := synth.DefaultConfig()
		cfg.Reps, cfg.Seed, cfg.End = reps, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		tr, p := synthPanel(t, cfg)
		start := time.Now()
		rec, err := model.Fit(p, model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: fit %v, method %s lags %d, cv wape %.3f", seed, time.Since(start).Round(time.Millisecond), rec.Method, rec.Lags, rec.CVWAPE)
		total, byKind := fittedRevenue(p, rec)
		for k, kt := range tr.Kinds {
			ke := rec.Kinds[k]
			in := ke.CILow <= kt.ValuePerActivity && kt.ValuePerActivity <= ke.CIHigh
			intervals++
			if in {
				covered++
			}
			off := "   n/a"
			if kt.ValuePerActivity > 0 {
				off = fmt.Sprintf("%+5.1f%%", 100*relErr(ke.Value, kt.ValuePerActivity))
				if math.Abs(relErr(ke.Value, kt.ValuePerActivity)) <= 0.15 {
					within[kt.Kind]++
				}
			}
			t.Logf("  %-9s fitted %8.1f [%8.1f, %8.1f] truth %8.1f (%s) covered %-5v peak %d/%d, %4.1f%% of fitted revenue",
				kt.Kind, ke.Value, ke.CILow, ke.CIHigh, kt.ValuePerActivity, off, in, peak(ke), truePeak(kt), 100*byKind[k]/total)
		}
	}
	t.Logf("80%% intervals covered the truth %d of %d times (%.0f%%); within 15%% by kind over %d seeds: %v",
		covered, intervals, 100*float64(covered)/float64(intervals), seeds, within)
}
