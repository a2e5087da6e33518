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
	reps, seeds := envSize(t, "SALESRECIPE_RECOVERY", 4, "(e.g. 100 or 1000) to measure recovery on the default synth firm")
	first, _ := strconv.Atoi(os.Getenv("SALESRECIPE_RECOVERY_FIRST_SEED"))
	first = max(first, 1)
	var sum recoverySummary
	for seed := int64(first); seed < int64(first+seeds); seed++ {
		cfg := synth.DefaultConfig()
		cfg.Reps, cfg.Seed, cfg.End = reps, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		sum.measure(t, fmt.Sprintf("seed %d", seed), cfg)
	}
	sum.log(t)
}

// TestNullRate measures how often the significance test keeps a kind with no effect (email) on default firms of
// SALESRECIPE_NULL_REPS reps, seeds 1 to SALESRECIPE_NULL_SEEDS (at least 20): its rate should match the test's 5%
// level and its statistic have mean 0 and standard deviation 1. It only measures and logs, like the recovery tests.
func TestNullRate(t *testing.T) {
	reps, seeds := envSize(t, "SALESRECIPE_NULL", 20, "(e.g. 40 or 100) to measure how often a kind with no effect is kept")
	var kept, n int
	var s, ss float64
	keptK := map[string]int{}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		cfg := synth.DefaultConfig()
		cfg.Reps, cfg.Seed, cfg.End = reps, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		tr, p := synthPanel(t, cfg)
		zs, bar, depth, err := model.KindZ(p)
		if err != nil {
			t.Fatal(err)
		}
		line := ""
		for k, kt := range tr.Kinds {
			line += " " + kt.Kind + "=" + strconv.FormatFloat(zs[k], 'f', 2, 64)
			if zs[k] >= bar {
				keptK[kt.Kind]++
			}
			if kt.ValuePerActivity == 0 {
				n++
				s += zs[k]
				ss += zs[k] * zs[k]
				if zs[k] >= bar {
					kept++
				}
			}
		}
		t.Logf("seed %d depth %d bar %.2f%s", seed, depth, bar, line)
	}
	m := s / float64(n)
	t.Logf("NULL kept %d of %d (%.1f%%), z mean %.2f sd %.2f; kept by kind %v", kept, n, 100*float64(kept)/float64(n), m,
		math.Sqrt(ss/float64(n)-m*m), keptK)
}

// envSize reads the number of reps from PREFIX_REPS and of seeds from PREFIX_SEEDS (at least least), skipping the
// test with the hint when no size is set.
func envSize(t *testing.T, prefix string, least int, hint string) (int, int) {
	t.Helper()
	reps, _ := strconv.Atoi(os.Getenv(prefix + "_REPS"))
	if reps == 0 {
		t.Skip("set " + prefix + "_REPS " + hint)
	}
	seeds, _ := strconv.Atoi(os.Getenv(prefix + "_SEEDS"))
	return reps, max(seeds, least)
}

// TestRecoveryMechanicsFirms measures recovery the same way on the firms of synth.Mechanics, each resized to
// SALESRECIPE_RECOVERY_REPS reps (their own seeds and months).
func TestRecoveryMechanicsFirms(t *testing.T) {
	reps, _ := strconv.Atoi(os.Getenv("SALESRECIPE_RECOVERY_REPS"))
	if reps == 0 {
		t.Skip("set SALESRECIPE_RECOVERY_REPS (e.g. 100 or 1000) to measure recovery on the mechanics firms")
	}
	var sum recoverySummary
	for _, nc := range synth.Mechanics() {
		cfg := nc.Config
		cfg.Reps, cfg.End = reps, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		sum.measure(t, nc.Name, cfg)
	}
	sum.log(t)
}

// recoverySummary collects, per kind, the relative errors, interval coverage and (for a kind with no effect) the
// share of fitted revenue over several firms.
type recoverySummary struct {
	kinds   []string
	errs    map[string][]float64 // relative error per firm, kinds with a true value
	covered map[string]int
	shares  map[string][]float64 // share of fitted revenue per firm, kinds without a true value
	peaks   map[string]int       // firms whose fitted profile peaks at the true lag
	firms   int
}

// measure generates one firm, fits it and records how close each kind comes to its truth.
func (s *recoverySummary) measure(t *testing.T, name string, cfg synth.Config) {
	t.Helper()
	if s.errs == nil {
		s.errs, s.covered, s.shares, s.peaks = map[string][]float64{}, map[string]int{}, map[string][]float64{}, map[string]int{}
	}
	tr, p := synthPanel(t, cfg)
	start := time.Now()
	rec, err := model.Fit(p, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.firms++
	t.Logf("%s: fit %v, method %s lags %d, cv wape %.3f", name, time.Since(start).Round(time.Millisecond), rec.Method, rec.Lags, rec.CVWAPE)
	total, byKind := fittedRevenue(p, rec)
	for k, kt := range tr.Kinds {
		ke := rec.Kinds[k]
		if s.firms == 1 {
			s.kinds = append(s.kinds, kt.Kind)
		}
		in := ke.CILow <= kt.ValuePerActivity && kt.ValuePerActivity <= ke.CIHigh
		if in {
			s.covered[kt.Kind]++
		}
		off := "   n/a"
		if kt.ValuePerActivity > 0 {
			e := relErr(ke.Value, kt.ValuePerActivity)
			off = fmt.Sprintf("%+5.1f%%", 100*e)
			s.errs[kt.Kind] = append(s.errs[kt.Kind], e)
			if peak(ke) == truePeak(kt) {
				s.peaks[kt.Kind]++
			}
		} else {
			s.shares[kt.Kind] = append(s.shares[kt.Kind], byKind[k]/total)
		}
		t.Logf("  %-9s fitted %8.1f [%8.1f, %8.1f] truth %8.1f (%s) covered %-5v peak %d/%d, %4.1f%% of fitted revenue, shares %s / %s",
			kt.Kind, ke.Value, ke.CILow, ke.CIHigh, kt.ValuePerActivity, off, in, peak(ke), truePeak(kt), 100*byKind[k]/total,
			fittedShares(ke), trueShares(kt))
	}
}

// fittedShares formats a kind's fitted lag shares in percent.
func fittedShares(ke model.KindEffect) string {
	out := ""
	for _, l := range ke.Lags {
		out += fmt.Sprintf(" %.0f", 100*l.Share)
	}
	return out
}

// trueShares formats a kind's true lag shares in percent.
func trueShares(kt synth.KindTruth) string {
	out := ""
	for _, l := range kt.Lags {
		out += fmt.Sprintf(" %.0f", 100*l.Share)
	}
	return out
}

// log writes one line per kind: within 15% and 25%, root mean square error, coverage, and the errors themselves.
func (s *recoverySummary) log(t *testing.T) {
	t.Helper()
	covered, intervals := 0, 0
	for _, kind := range s.kinds {
		covered += s.covered[kind]
		intervals += s.firms
		if errs, ok := s.errs[kind]; ok {
			w15, w25, ss := 0, 0, 0.0
			list := ""
			for _, e := range errs {
				if math.Abs(e) <= 0.15 {
					w15++
				}
				if math.Abs(e) <= 0.25 {
					w25++
				}
				ss += e * e
				list += fmt.Sprintf(" %+.0f", 100*e)
			}
			t.Logf("SUMMARY %-9s within 15%% %2d/%d, 25%% %2d/%d, rms %5.1f%%, covered %2d/%d, peak right %2d/%d, errors%s",
				kind, w15, len(errs), w25, len(errs), 100*math.Sqrt(ss/float64(len(errs))), s.covered[kind], s.firms,
				s.peaks[kind], len(errs), list)
			continue
		}
		list, worst := "", 0.0
		for _, v := range s.shares[kind] {
			list += fmt.Sprintf(" %.1f", 100*v)
			worst = max(worst, v)
		}
		t.Logf("SUMMARY %-9s no effect: share of fitted revenue max %.1f%%, covered %2d/%d, shares%s", kind, 100*worst,
			s.covered[kind], s.firms, list)
	}
	t.Logf("SUMMARY 80%% intervals covered the truth %d of %d times (%.0f%%)", covered, intervals, 100*float64(covered)/float64(intervals))
}
