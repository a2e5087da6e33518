package synth

import (
	"math"
	"slices"
	"testing"
)

// repMonthCounts counts activities by rep, history month and kind.
func repMonthCounts(t *testing.T, o *output) map[string][][]float64 {
	t.Helper()
	tr := o.truth
	kind := map[string]int{}
	for k, kt := range tr.Kinds {
		kind[kt.Kind] = k
	}
	counts := map[string][][]float64{}
	for _, a := range o.activities(t) {
		if counts[a.rep] == nil {
			counts[a.rep] = make([][]float64, tr.Config.Months)
			for m := range counts[a.rep] {
				counts[a.rep][m] = make([]float64, len(tr.Kinds))
			}
		}
		counts[a.rep][monthIndex(tr.Start, a.at)][kind[a.kind]]++
	}
	return counts
}

// dispersion returns the variance of x over its Poisson (multinomial) expectation: about 1 without extra spread.
func dispersion(x, n []float64, p float64) float64 {
	var num, den float64
	for i := range x {
		if n[i] > 0 {
			num += (x[i] - n[i]*p) * (x[i] - n[i]*p)
			den += n[i] * p * (1 - p)
		}
	}
	return num / den
}

func TestActivityMixVariesByRepAndMonth(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default firm", testConfig(80, 18, 21)},
		{"high-velocity firm", func() Config {
			c := HighVelocityConfig()
			c.Reps, c.Months, c.End = 40, 12, testConfig(1, 1, 1).End
			return c
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := generate(t, tc.cfg)
			counts := repMonthCounts(t, o)
			for k, kt := range o.truth.Kinds {
				checkMixSpread(t, counts, k, kt.Kind)
			}
			checkNotProportional(t, counts, 0, len(o.truth.Kinds)-1)
		})
	}
}

// checkMixSpread wants kind k's share to vary across reps and, within reps, across months far beyond sampling noise.
func checkMixSpread(t *testing.T, counts map[string][][]float64, k int, name string) {
	t.Helper()
	var repX, repN []float64
	var monthDisp []float64
	for _, months := range counts {
		var x, n []float64
		sx, sn := 0.0, 0.0
		for _, row := range months {
			tot := 0.0
			for _, c := range row {
				tot += c
			}
			x, n = append(x, row[k]), append(n, tot)
			sx, sn = sx+row[k], sn+tot
		}
		repX, repN = append(repX, sx), append(repN, sn)
		if sx > 0 && sx < sn { // a rep who never (or only) did kind k has no defined dispersion: skip, never NaN
			monthDisp = append(monthDisp, dispersion(x, n, sx/sn))
		}
	}
	firm := sum(repX) / sum(repN)
	if d := dispersion(repX, repN, firm); d < 5 {
		t.Errorf("%s: share across reps over-dispersed only %.1fx, want reps with different mixes", name, d)
	}
	if d := median(monthDisp); d < 2 {
		t.Errorf("%s: median month-to-month dispersion within reps %.1fx, want the mix to drift", name, d)
	}
}

// checkNotProportional wants the within-rep monthly counts of two kinds correlated but far from proportional.
func checkNotProportional(t *testing.T, counts map[string][][]float64, a, b int) {
	t.Helper()
	var xs, ys []float64
	for _, months := range counts {
		var ra, rb []float64
		for _, row := range months {
			if row[a]+row[b] > 0 {
				ra, rb = append(ra, math.Log1p(row[a])), append(rb, math.Log1p(row[b]))
			}
		}
		ma, mb := sum(ra)/float64(len(ra)), sum(rb)/float64(len(rb))
		for i := range ra {
			xs, ys = append(xs, ra[i]-ma), append(ys, rb[i]-mb)
		}
	}
	if r := correlation(xs, ys); r > 0.8 || r < -0.2 {
		t.Errorf("within-rep correlation of kinds %d and %d is %.2f, want correlated but not proportional", a, b, r)
	}
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func correlation(x, y []float64) float64 {
	var sxy, sxx, syy float64
	for i := range x {
		sxy, sxx, syy = sxy+x[i]*y[i], sxx+x[i]*x[i], syy+y[i]*y[i]
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestRepActivitySharesMatchData(t *testing.T) {
	o := generate(t, testConfig(30, 24, 22))
	counts := repMonthCounts(t, o)
	for _, r := range o.truth.Reps {
		total, byKind := 0.0, make([]float64, len(o.truth.Kinds))
		for _, row := range counts[r.RepID] {
			for k, c := range row {
				total += c
				byKind[k] += c
			}
		}
		for k, kt := range o.truth.Kinds {
			want := r.ActivityShare[kt.Kind]
			if se := math.Sqrt(want * (1 - want) / total); math.Abs(byKind[k]/total-want) > 5*se+1e-3 {
				t.Errorf("%s %s: share %.3f of %.0f activities, truth %.3f", r.RepID, kt.Kind, byKind[k]/total, total, want)
			}
		}
	}
}

func TestDelayProfilesHaveAClearPeak(t *testing.T) {
	for seed := int64(1); seed <= 25; seed++ {
		tr := generate(t, testConfig(2, 2, seed)).truth
		for _, kt := range tr.Kinds {
			top, second := 0.0, 0.0
			for _, l := range kt.Lags {
				if l.Share > top {
					top, second = l.Share, top
				} else if l.Share > second {
					second = l.Share
				}
			}
			if top < peakMargin*second {
				t.Errorf("seed %d %s: peak share %.3f, next %.3f", seed, kt.Kind, top, second)
			}
		}
	}
}

func TestMixSpreadDependsOnSeed(t *testing.T) {
	seen := map[[4]float64]bool{}
	for seed := int64(1); seed <= 5; seed++ {
		m := generate(t, testConfig(2, 3, seed)).truth.Mix
		key := [4]float64{m.RepSigma, m.MonthSigma, m.MonthPersistence, m.CampaignSigma}
		if seen[key] {
			t.Errorf("seed %d repeats the mix spreads %+v", seed, key)
		}
		seen[key] = true
		if len(m.Campaigns["call"]) != 3 {
			t.Errorf("seed %d: %d campaign months for call, want 3", seed, len(m.Campaigns["call"]))
		}
	}
}
