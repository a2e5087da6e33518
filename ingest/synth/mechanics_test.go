package synth

import (
	"cmp"
	"math"
	"slices"
	"testing"
	"time"
)

func TestMechanicsCatalogue(t *testing.T) {
	firms := Mechanics()
	if len(firms) < 7 {
		t.Fatalf("%d firms, want at least 7", len(firms))
	}
	end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for _, nc := range firms {
		cfg := nc.Config
		cfg.End = end
		switch err := cfg.Validate(); {
		case err != nil:
			t.Errorf("%s: %v", nc.Name, err)
		case seen[nc.Name] || nc.About == "" || !cfg.End.Equal(end) || !nc.Config.End.IsZero():
			t.Errorf("%s: duplicate name, no description or an End set", nc.Name)
		case cfg.Reps < 30 || cfg.Reps > 40 || cfg.Months < 24 || cfg.Months > 30 || cfg.ActivitiesPerDay > 10:
			t.Errorf("%s: %d reps, %d months, %v a day: not small", nc.Name, cfg.Reps, cfg.Months, cfg.ActivitiesPerDay)
		case cfg.Knobs == (Knobs{}) && cfg.AmountSigma == 0:
			t.Errorf("%s: no mechanic set", nc.Name)
		}
		seen[nc.Name] = true
	}
}

// TestMechanicsCatalogueShows checks, without writing rows, that each firm's drawn story has its mechanic.
func TestMechanicsCatalogueShows(t *testing.T) {
	for _, nc := range Mechanics() {
		cfg := nc.Config
		cfg.End = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		f := newGenerator(cfg).firm
		spread := slices.Max(f.season[:]) / slices.Min(f.season[:])
		switch {
		case cfg.SeasonAmplitude > 0 && spread < 2:
			t.Errorf("%s: busiest month only %.2f times the quietest", nc.Name, spread)
		case cfg.StageBlindWins && math.Abs(f.trueRate[stProspecting]-f.trueRate[stNegotiation]) > 0.05:
			t.Errorf("%s: stage win rates %v differ", nc.Name, f.trueRate)
		case cfg.StageFileFactor > 1.5 && f.fileProb[stProspecting] < 2*f.trueRate[stProspecting]:
			t.Errorf("%s: file %v not far above the true rates %v", nc.Name, f.fileProb, f.trueRate)
		case cfg.LagPeak > 0 && peakLag(f.kinds[0].lags) != cfg.LagPeak:
			t.Errorf("%s: %s delays %v do not peak at %d", nc.Name, f.kinds[0].name, f.kinds[0].lags, cfg.LagPeak)
		}
	}
}

func peakLag(shares []float64) int {
	return slices.Index(shares, slices.Max(shares))
}

func TestKnobsShowInData(t *testing.T) {
	tests := []struct {
		name  string
		knobs func(*Config)
		check func(*testing.T, *output)
	}{
		{"stage-blind wins", func(c *Config) { c.StageBlindWins = true }, checkStageBlind(true)},
		{"stage-aware wins (control)", func(*Config) {}, checkStageBlind(false)},
		{"stages file x2.5", func(c *Config) { c.StageFileFactor = 2.5 }, checkFileFactor(2.5)},
		{"stages file x0.4", func(c *Config) { c.StageFileFactor = 0.4 }, checkFileFactor(0.4)},
		{"stages file right", func(c *Config) { c.StageFileFactor = 1 }, checkFileFactor(1)},
		{"close dates 14-21 days early", func(c *Config) { c.CloseOptimismMinDays, c.CloseOptimismMaxDays = 14, 21 }, checkOptimism(14, 21)},
		{"close dates 3 days early", func(c *Config) { c.CloseOptimismMinDays, c.CloseOptimismMaxDays = 3, 3 }, checkOptimism(3, 3)},
		{"strong seasonality", func(c *Config) { c.SeasonAmplitude = 3 }, checkSeason(3)},
		{"late delays", func(c *Config) { c.LagPeak = 3; c.Kinds = StretchLags(c.Kinds, 3) }, checkLagPeak(3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(30, 12, 11)
			tc.knobs(&cfg)
			tc.check(t, generate(t, cfg))
		})
	}
}

// checkStageBlind compares the win rate of closed deals ever seen in each open stage: the truth's (which differs
// between stages only by which reps' deals reach them) within noise and a span under 0.1 when blind, a span of more than
// 0.2 from prospecting to negotiation otherwise.
func checkStageBlind(blind bool) func(*testing.T, *output) {
	return func(t *testing.T, o *output) {
		won, seen := map[string]float64{}, map[string]float64{}
		inStage := map[string]map[string]bool{}
		for _, r := range o.dealRows(t) {
			if inStage[r.id] == nil {
				inStage[r.id] = map[string]bool{}
			}
			inStage[r.id][r.stage] = true
			if r.status == "open" {
				continue
			}
			for s := range inStage[r.id] {
				seen[s]++
				if r.status == "won" {
					won[s]++
				}
			}
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		names := stageNames()
		for i, s := range names[:stWon] {
			p, n, truth := won[s]/seen[s], seen[s], o.truth.Stages[i].TrueWinRate
			if n < 100 {
				t.Fatalf("only %.0f closed deals were in %s", n, s)
			}
			if blind && math.Abs(p-truth) > 4*math.Sqrt(p*(1-p)/n)+0.01 {
				t.Errorf("%s: win rate %.3f of %.0f deals, truth %.3f", s, p, n, truth)
			}
			lo, hi = min(lo, p), max(hi, p)
		}
		if (blind && hi-lo > 0.1) || (!blind && hi-lo < 0.2) {
			t.Errorf("stage win rates span %.3f-%.3f (blind %v)", lo, hi, blind)
		}
	}
}

// checkFileFactor checks stages.csv against the true rates times factor, clamped, rounded to 0.05 and monotone.
func checkFileFactor(factor float64) func(*testing.T, *output) {
	return func(t *testing.T, o *output) {
		if o.truth.StageMiscalibration != factor {
			t.Errorf("truth says miscalibration %v, want %v", o.truth.StageMiscalibration, factor)
		}
		prev := 0.0
		for i, r := range readCSV(t, bytesReader(&o.stages), stagesHeader)[:stWon] {
			want := math.Round(min(maxFileProb, max(minFileProb, o.truth.Stages[i].TrueWinRate*factor))*20) / 20
			want = max(want, prev)
			if got := parseAmount(t, r[2]); math.Abs(got-want) > 1e-9 {
				t.Errorf("%s: file probability %v, want %v (true rate %.3f)", r[0], got, want, o.truth.Stages[i].TrueWinRate)
			}
			prev = want
		}
	}
}

// checkOptimism checks that each deal's first stated close date is lo-hi days before its real close, when the deal
// was created more than hi days before it, and that no stated date is ever after the real close.
func checkOptimism(lo, hi int) func(*testing.T, *output) {
	return func(t *testing.T, o *output) {
		rows := o.dealRows(t)
		last, first := finals(rows), map[string]dealRow{}
		n := 0
		for _, r := range rows {
			end := last[r.id]
			if end.closed.IsZero() {
				continue
			}
			closeDay := end.closed.Truncate(24 * time.Hour)
			if r.closeDate > closeDay.Format(time.DateOnly) {
				t.Errorf("deal %s states %s, after its real close %v", r.id, r.closeDate, closeDay)
			}
			if _, ok := first[r.id]; ok || !r.created.Before(closeDay.AddDate(0, 0, -hi-1)) {
				continue
			}
			first[r.id] = r
			n++
			stated, _ := time.Parse(time.DateOnly, r.closeDate)
			if early := int(closeDay.Sub(stated).Hours() / 24); early < lo || early > hi {
				t.Errorf("deal %s first states %s, %d days before its close %v; want %d-%d", r.id, r.closeDate, early, closeDay, lo, hi)
			}
		}
		if n < 200 || o.truth.CloseDateSlipShare != 1 {
			t.Errorf("%d deals checked, slip share %v", n, o.truth.CloseDateSlipShare)
		}
	}
}

// checkSeason checks the seasonal factors are the drawn ones amplified and that activity per rep-day follows them.
func checkSeason(amp float64) func(*testing.T, *output) {
	return func(t *testing.T, o *output) {
		plain := o.truth.Config
		plain.SeasonAmplitude = 0
		drawn := newGenerator(plain).firm.season
		for c, s := range o.truth.Seasonality {
			if want := max(minSeason, 1+amp*(drawn[c]-1)); math.Abs(s-want) > 1e-12 {
				t.Errorf("month %d: season %v, want %v", c+1, s, want)
			}
		}
		perDay := make([]float64, 12)
		days := make([]float64, 12)
		for _, a := range o.activities(t) {
			perDay[a.at.Month()-1]++
		}
		for d := o.truth.Start; d.Before(o.truth.End); d = d.AddDate(0, 0, 1) {
			if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				days[d.Month()-1]++
			}
		}
		var xs, ys []float64
		for c := range perDay {
			xs, ys = append(xs, math.Log(o.truth.Seasonality[c])), append(ys, math.Log(perDay[c]/days[c]))
		}
		if r := correlation(centered(xs), centered(ys)); r < 0.9 {
			t.Errorf("log activity per working day correlates %.2f with log season %v", r, o.truth.Seasonality)
		}
	}
}

// centered returns x minus its mean, so correlation of two centered series is Pearson's.
func centered(x []float64) []float64 {
	mean := 0.0
	for _, v := range x {
		mean += v / float64(len(x))
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v - mean
	}
	return out
}

// checkLagPeak checks every sourcing kind's true delays and the won revenue of sourced deals by lag peak at peak.
func checkLagPeak(peak int) func(*testing.T, *output) {
	return func(t *testing.T, o *output) {
		for _, k := range o.truth.Kinds {
			shares := make([]float64, len(k.Lags))
			for _, l := range k.Lags {
				shares[l.Lag] = l.Share
			}
			if k.SourceProbability > 0 && peakLag(shares) != peak {
				t.Errorf("%s: true delays %v do not peak at %d", k.Kind, shares, peak)
			}
		}
		deals := finals(o.dealRows(t))
		byLag := make([]float64, o.truth.MaxLag+1)
		for _, a := range o.activities(t) {
			d, ok := deals[a.deal]
			if !ok || !a.at.Equal(d.created) || d.status != "won" || monthIndex(o.truth.Start, a.at) >= o.truth.Config.Months-o.truth.MaxLag {
				continue
			}
			byLag[monthIndex(o.truth.Start, d.closed)-monthIndex(o.truth.Start, a.at)] += d.amount
		}
		if peakLag(byLag) != peak {
			t.Errorf("won revenue by lag %v does not peak at %d", byLag, peak)
		}
	}
}

func TestTurnoverShowsInQuotas(t *testing.T) {
	for _, turnover := range []float64{0, 0.4, 0.8} {
		cfg := testConfig(400, 12, 13)
		cfg.ActivitiesPerDay, cfg.Turnover = 0.05, turnover
		o := generate(t, cfg)
		first, last := map[string]string{}, map[string]string{}
		for _, r := range readCSV(t, bytesReader(&o.quotas), quotasHeader) {
			if first[r[0]] == "" {
				first[r[0]] = r[1]
			}
			last[r[0]] = r[1]
		}
		wantJoin, wantLeave := cmp.Or(turnover, joinProb), cmp.Or(turnover, leaveProb)
		joined, left, n := 0.0, 0.0, 0.0
		startDay, lastDay := o.truth.Start.Format(time.DateOnly), o.truth.End.AddDate(0, -1, 0).Format(time.DateOnly)
		for _, r := range o.truth.Reps {
			if r.ManagerID == "" {
				continue
			}
			n++
			if first[r.RepID] > startDay {
				joined++
			}
			if last[r.RepID] < lastDay {
				left++
			}
		}
		if math.Abs(joined/n-wantJoin) > 0.08 || math.Abs(left/n-wantLeave) > 0.08 {
			t.Errorf("turnover %v: %.2f joined late and %.2f left of %.0f, want about %v and %v", turnover, joined/n, left/n, n, wantJoin, wantLeave)
		}
	}
}

func TestKnobsValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"negative file factor", func(c *Config) { c.StageFileFactor = -1 }, false},
		{"file factor NaN", func(c *Config) { c.StageFileFactor = math.NaN() }, false},
		{"file factor too large", func(c *Config) { c.StageFileFactor = 50 }, false},
		{"optimism min above max", func(c *Config) { c.CloseOptimismMinDays, c.CloseOptimismMaxDays = 21, 14 }, false},
		{"optimism without min", func(c *Config) { c.CloseOptimismMaxDays = 14 }, false},
		{"optimism too long", func(c *Config) { c.CloseOptimismMinDays, c.CloseOptimismMaxDays = 1, 500 }, false},
		{"negative season amplitude", func(c *Config) { c.SeasonAmplitude = -1 }, false},
		{"turnover above one", func(c *Config) { c.Turnover = 1.5 }, false},
		{"lag peak beyond the kinds' delays", func(c *Config) { c.LagPeak = 3 }, false},
		{"negative lag peak", func(c *Config) { c.LagPeak = -1 }, false},
		{"every knob", func(c *Config) {
			c.Knobs = Knobs{StageBlindWins: true, StageFileFactor: 0.4, CloseOptimismMinDays: 14, CloseOptimismMaxDays: 21,
				SeasonAmplitude: 3, Turnover: 1, LagPeak: 3}
			c.Kinds = StretchLags(c.Kinds, 3)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(5, 5, 1)
			tc.mod(&cfg)
			if err := cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
