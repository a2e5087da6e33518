package model_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/model"
)

// recoverySeeds are the firms the recovery test generates; -short keeps the first.
var recoverySeeds = []int64{1, 2, 3, 4}

// TestRecoveryOnSynthFirm checks the requirement on ingest/synth firms read from their CSV rows: with about
// 100 reps x 24 months of enough volume (synth.HighVelocityConfig), every kind's fitted value lies within 15% of
// truth.json, the kind with no true effect gets under 3% of the fitted revenue and each delay profile peaks at the
// true lag. The default mid-market firm is too noisy at that size to pin every kind (see the synth package doc).
func TestRecoveryOnSynthFirm(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	seeds := recoverySeeds
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			cfg := synth.HighVelocityConfig()
			cfg.Seed, cfg.End = seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			tr, p := synthPanel(t, cfg)
			rec, err := model.Fit(p, model.Options{Bootstrap: 50})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("method %s lags %d lambda %g cv wape %.3f r2 %.3f", rec.Method, rec.Lags, rec.Lambda, rec.CVWAPE, rec.R2)
			checkRecovery(t, tr, p, rec)
		})
	}
}

// checkRecovery logs each kind's fitted value against the truth and applies the tolerances.
func checkRecovery(t *testing.T, tr synth.Truth, p *model.Panel, rec *model.Recipe) {
	t.Helper()
	total, byKind := fittedRevenue(p, rec)
	for k, kt := range tr.Kinds {
		ke := rec.Kinds[k]
		share := byKind[k] / total
		off := "   n/a"
		if kt.ValuePerActivity > 0 {
			off = fmt.Sprintf("%+5.1f%%", 100*relErr(ke.Value, kt.ValuePerActivity))
		}
		t.Logf("%-9s fitted %8.2f [%8.2f, %8.2f] truth %8.2f (%s) peak %d/%d, %4.1f%% of fitted revenue",
			kt.Kind, ke.Value, ke.CILow, ke.CIHigh, kt.ValuePerActivity, off, peak(ke), truePeak(kt), 100*share)
		switch {
		case kt.ValuePerActivity == 0:
			if share >= 0.03 {
				t.Errorf("%s has no true effect but gets %.1f%% of the fitted revenue", kt.Kind, 100*share)
			}
		case math.Abs(relErr(ke.Value, kt.ValuePerActivity)) > 0.15:
			t.Errorf("%s: fitted %.2f, truth %.2f: more than 15%% off", kt.Kind, ke.Value, kt.ValuePerActivity)
		case peak(ke) != truePeak(kt):
			t.Errorf("%s: delay profile peaks at lag %d, truth %d", kt.Kind, peak(ke), truePeak(kt))
		}
	}
}

func relErr(got, want float64) float64 {
	return got/want - 1
}

// fittedRevenue returns the recipe's fitted revenue over the panel's active rep-periods and each kind's part of it.
func fittedRevenue(p *model.Panel, rec *model.Recipe) (float64, []float64) {
	total, kinds := 0.0, make([]float64, len(p.Kinds))
	for r, rep := range p.Reps {
		for t := range p.Periods {
			if !p.Active[r][t] {
				continue
			}
			total += rec.Baseline + rec.RepEffect(rep)
			for k, ke := range rec.Kinds {
				for _, l := range ke.Lags {
					if t >= l.Lag {
						kinds[k] += ke.Value * l.Share * p.Counts[r][t-l.Lag][k]
					}
				}
			}
		}
	}
	for _, v := range kinds {
		total += v
	}
	return total, kinds
}

func peak(ke model.KindEffect) int {
	best := 0
	for l, s := range ke.Lags {
		if s.Share > ke.Lags[best].Share {
			best = l
		}
	}
	return best
}

func truePeak(kt synth.KindTruth) int {
	best := 0
	for i, s := range kt.Lags {
		if s.Share > kt.Lags[best].Share {
			best = i
		}
	}
	return kt.Lags[best].Lag
}

// TestLateDelaysFirmPeaksLate checks the requirement on the late-delays firm of synth.Mechanics (sourced deals
// close mostly 3 months after the activity), resized to 100 reps: every kind that keeps a value gets a delay profile
// peaking at the true lag, and demo and proposal, most of its revenue, keep one within 25% of the truth. A delayed
// carry-over over the whole window won the former out-of-sample choice here with profiles peaking at lags 1 and 5.
func TestLateDelaysFirmPeaksLate(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	for _, nc := range synth.Mechanics() {
		if nc.Name != "late-delays" {
			continue
		}
		cfg := nc.Config
		cfg.Reps, cfg.End = 100, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		tr, p := synthPanel(t, cfg)
		rec, err := model.Fit(p, model.Options{Bootstrap: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("method %s lags %d", rec.Method, rec.Lags)
		for k, kt := range tr.Kinds {
			ke := rec.Kinds[k]
			t.Logf("%-9s fitted %8.1f truth %8.1f peak %d/%d shares%s /%s", kt.Kind, ke.Value, kt.ValuePerActivity, peak(ke),
				truePeak(kt), fittedShares(ke), trueShares(kt))
			if ke.Value > 0 && peak(ke) != truePeak(kt) {
				t.Errorf("%s: delay profile peaks at lag %d, truth %d", kt.Kind, peak(ke), truePeak(kt))
			}
			if (kt.Kind == "demo" || kt.Kind == "proposal") && math.Abs(relErr(ke.Value, kt.ValuePerActivity)) > 0.25 {
				t.Errorf("%s: fitted %.1f, truth %.1f: more than 25%% off", kt.Kind, ke.Value, kt.ValuePerActivity)
			}
		}
		return
	}
	t.Fatal("synth.Mechanics has no late-delays firm")
}
