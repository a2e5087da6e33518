package synth

import (
	"math"
	"sort"
	"testing"
)

// moments accumulates one per-activity quantity to compare its mean with a truth.
type moments struct{ sum, sumsq float64 }

func (m *moments) add(x float64) {
	m.sum += x
	m.sumsq += x * x
}

// within reports whether the mean over n activities is within z standard errors (plus slack) of want.
func (m moments) within(n int, want, z, slack float64) (mean, se float64, ok bool) {
	mean = m.sum / float64(n)
	se = math.Sqrt(max(0, m.sumsq/float64(n)-mean*mean) / float64(n))
	return mean, se, math.Abs(mean-want) <= z*se+slack
}

// kindStats is what the files say about one kind over activities whose deals had time to close.
type kindStats struct {
	n        int
	total    moments
	byLag    []moments
	perRep   float64 // sum over activities of the rep's true value, for the realized-weight mean
	sourcing int
}

func TestTruthMatchesData(t *testing.T) {
	velocity := HighVelocityConfig()
	velocity.Reps, velocity.Months, velocity.End, velocity.Seed = 40, 12, testConfig(1, 1, 1).End, 11
	knobs := velocity
	knobs.Knobs = Knobs{StageBlindWins: true, CloseOptimismMinDays: 14, CloseOptimismMaxDays: 21, SeasonAmplitude: 3,
		Turnover: 0.5, LagPeak: 2}
	knobs.Kinds, knobs.AmountSigma = StretchLags(velocity.Kinds, 2), 1.2
	tests := []struct {
		name string
		cfg  Config
	}{{"default firm", testConfig(200, 24, 11)}, {"high-velocity firm", velocity}, {"every mechanic knob", knobs}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := generate(t, tc.cfg)
			checkKindTruths(t, o.truth, measureKinds(t, o))
		})
	}
}

// checkKindTruths compares each kind's value and delay profile with what the files say.
func checkKindTruths(t *testing.T, tr Truth, stats []kindStats) {
	t.Helper()
	for k, kt := range tr.Kinds {
		s := stats[k]
		want := s.perRep / float64(s.n)
		if math.Abs(want-kt.ValuePerActivity) > 0.03*kt.ValuePerActivity {
			t.Errorf("%s: firm value %.2f but realized-weight value %.2f", kt.Kind, kt.ValuePerActivity, want)
		}
		if mean, se, ok := s.total.within(s.n, want, 4, 1e-9); !ok {
			t.Errorf("%s: measured value %.2f ± %.2f, truth %.2f", kt.Kind, mean, se, want)
		}
		for _, l := range kt.Lags {
			if mean, se, ok := s.byLag[l.Lag].within(s.n, want*l.Share, 4, 1e-9); !ok {
				t.Errorf("%s lag %d: measured %.2f ± %.2f, truth %.2f", kt.Kind, l.Lag, mean, se, want*l.Share)
			}
		}
		if kt.ValuePerActivity == 0 && s.sourcing != 0 {
			t.Errorf("%s has no effect but sourced %d deals", kt.Kind, s.sourcing)
		}
	}
}

// measureKinds links activities to the deals they sourced and sums won revenue by kind and lag.
func measureKinds(t *testing.T, o *output) []kindStats {
	tr := o.truth
	last := finals(o.dealRows(t))
	index, reps := map[string]int{}, map[string]RepTruth{}
	stats := make([]kindStats, len(tr.Kinds))
	for k, kt := range tr.Kinds {
		index[kt.Kind] = k
		stats[k].byLag = make([]moments, len(kt.Lags))
	}
	for _, r := range tr.Reps {
		reps[r.RepID] = r
	}
	for _, a := range o.activities(t) {
		m := monthIndex(tr.Start, a.at)
		if m >= tr.Config.Months-tr.MaxLag {
			continue
		}
		s := &stats[index[a.kind]]
		s.n++
		s.perRep += reps[a.rep].ValuePerActivity[a.kind]
		d, ok := last[a.deal]
		if !ok || !d.created.Equal(a.at) {
			s.total.add(0)
			continue
		}
		s.sourcing++
		won := 0.0
		if d.status == "won" {
			won = d.amount
		}
		s.total.add(won)
		for l := range s.byLag {
			if l == monthIndex(tr.Start, d.closed)-m {
				s.byLag[l].add(won)
			}
		}
	}
	return stats
}

func TestStageWinRatesMatchTruth(t *testing.T) {
	o := generate(t, testConfig(200, 24, 12))
	tr := o.truth
	ever := map[string]map[string]bool{}
	for _, r := range o.dealRows(t) {
		if monthIndex(tr.Start, r.created) >= tr.Config.Months-tr.MaxLag-1 {
			continue
		}
		if ever[r.id] == nil {
			ever[r.id] = map[string]bool{}
		}
		ever[r.id][r.stage] = true
	}
	for _, st := range tr.Stages[:stWon] {
		won, all := 0, 0
		for _, stages := range ever {
			if stages[st.Stage] {
				all++
				if stages["closed_won"] {
					won++
				}
			}
		}
		got := float64(won) / float64(all)
		if math.Abs(got-st.TrueWinRate) > 0.02 {
			t.Errorf("%s: measured win rate %.3f over %d deals, truth %.3f", st.Stage, got, all, st.TrueWinRate)
		}
	}
}

func TestActivityVolumeMatchesExpectation(t *testing.T) {
	cfg := testConfig(60, 18, 13)
	o := generate(t, cfg)
	g := newGenerator(cfg)
	counts := expectedCounts(&g.cal, &g.firm, g.reps)
	got := map[string]int{}
	for _, a := range o.activities(t) {
		got[a.kind]++
	}
	for k, km := range g.firm.kinds {
		want := 0.0
		for i := range counts {
			want += counts[i][k]
		}
		if math.Abs(float64(got[km.name])-want) > 4*math.Sqrt(want)+1 {
			t.Errorf("%s: %d activities, expected %.0f", km.name, got[km.name], want)
		}
	}
}

func TestSeedsMakeDifferentFirms(t *testing.T) {
	seen := map[float64]bool{}
	for seed := int64(1); seed <= 6; seed++ {
		tr := generate(t, testConfig(20, 6, seed)).truth
		if seen[tr.StageMiscalibration] {
			t.Errorf("seed %d repeats miscalibration %v", seed, tr.StageMiscalibration)
		}
		seen[tr.StageMiscalibration] = true
		worst := 0.0
		for _, s := range tr.Stages {
			worst = max(worst, math.Abs(s.Probability-s.TrueWinRate))
		}
		if worst < 0.05 {
			t.Errorf("seed %d: stage file within %.3f of the true rates, want miscalibrated", seed, worst)
		}
	}
}

func TestQuotasAreMissedAndBeaten(t *testing.T) {
	o := generate(t, testConfig(60, 12, 14))
	won, quota := revenueAndQuota(t, o)
	var ratios []float64
	for rep, q := range quota {
		ratios = append(ratios, won[rep]/q)
	}
	sort.Float64s(ratios)
	if ratios[0] > 0.9 || ratios[len(ratios)-1] < 1.1 {
		t.Errorf("attainment ranges %.2f..%.2f, want some reps to miss and some to beat", ratios[0], ratios[len(ratios)-1])
	}
}

func TestShortfallRepFallsFarBelowQuota(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		cfg := testConfig(30, 12, seed)
		cfg.Shortfall = true
		o := generate(t, cfg)
		last := o.truth.Shortfall.PeriodStart.Format("2006-01-02")
		won, quota := revenueAndQuota(t, o, last)
		if got := won[ShortfallRep] / quota[ShortfallRep]; got > 0.3 {
			t.Errorf("seed %d: %s attains %.2f in %s, want far below quota", seed, ShortfallRep, got, last)
		}
	}
}

// revenueAndQuota sums won revenue and quota per rep over the given periods (all when none).
func revenueAndQuota(t *testing.T, o *output, periods ...string) (won, quota map[string]float64) {
	keep := func(p string) bool { return len(periods) == 0 || p == periods[0] }
	won, quota = map[string]float64{}, map[string]float64{}
	for _, r := range readCSV(t, bytesReader(&o.quotas), quotasHeader) {
		if keep(r[1]) {
			quota[r[0]] += parseAmount(t, r[3])
		}
	}
	for _, d := range finals(o.dealRows(t)) {
		if d.status == "won" && keep(d.closed.Format("2006-01")+"-01") {
			won[d.rep] += d.amount
		}
	}
	return won, quota
}
