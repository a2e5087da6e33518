package model

import (
	"math"
	"testing"
	"time"
)

// step is one change of a hand-built deal: when, which stage, which status, which expected close date.
type step struct {
	at, stage string
	status    DealStatus
	closeDate string
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// history builds a deal's versions from its steps.
func history(id string, steps ...step) []DealVersion {
	var out []DealVersion
	for _, s := range steps {
		v := DealVersion{DealID: id, Stage: s.stage, Status: s.status, Amount: 1000,
			CreatedAt: day(steps[0].at), CloseDate: day(s.closeDate), UpdatedAt: day(s.at)}
		if s.status != Open {
			v.ClosedAt = v.UpdatedAt
		}
		out = append(out, v)
	}
	return out
}

// handDeals is a small firm: two wins, a loss, a refunded win, open deals and a version from after the as-of moment.
func handDeals() []DealVersion {
	var v []DealVersion
	v = append(v, history("A", step{"2024-01-02", "Qualify", Open, "2024-01-31"}, step{"2024-01-10", "Propose", Open, "2024-01-31"},
		step{"2024-01-20", "Propose", Won, "2024-01-31"})...)
	v = append(v, history("B", step{"2024-01-03", "Qualify", Open, "2024-01-31"}, step{"2024-01-15", "Qualify", Lost, "2024-01-31"})...)
	v = append(v, history("C", step{"2024-01-05", "Qualify", Open, "2024-01-31"}, step{"2024-01-12", "Propose", Open, "2024-02-15"},
		step{"2024-02-01", "Negotiate", Open, "2024-02-28"}, step{"2024-02-20", "Negotiate", Won, "2024-02-28"})...)
	v = append(v, history("D", step{"2024-02-02", "Qualify", Open, "2024-02-28"}, step{"2024-02-10", "Qualify", Won, "2024-02-28"},
		step{"2024-03-05", "Qualify", Lost, "2024-02-28"})...)
	v = append(v, history("E", step{"2024-03-01", "Qualify", Open, "2024-03-31"})...)
	v = append(v, history("F", step{"2024-03-02", "Discovery", Open, "2024-04-30"}, step{"2024-04-10", "Discovery", Won, "2024-04-30"})...)
	return v
}

func handStages() []StageInfo {
	return []StageInfo{{"Negotiate", 3, 0.7}, {"Qualify", 1, 0.1}, {"Propose", 2, 0.4}, {"Unused", 4, 0.5}, {"Verbal", 5, -1}}
}

var asOf = day("2024-03-31")

func TestStageWinProbabilities(t *testing.T) {
	m, err := FitStages(handDeals(), handStages(), asOf, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Closed != 4 || m.Won != 2 || m.WinRate != 0.5 {
		t.Fatalf("closed %d won %d rate %v; want 4, 2 (refund is a loss, F's win is after as-of), 0.5", m.Closed, m.Won, m.WinRate)
	}
	tests := []struct {
		stage       string
		pos         int
		closed, won int
		want, cycle float64
		cycleN      int
	}{
		{"Qualify", 1, 4, 2, (2 + 10*0.1) / 14, 32, 2},
		{"Propose", 2, 2, 2, (2 + 10*0.4) / 12, 24.5, 2},
		{"Negotiate", 3, 1, 1, (1 + 10*0.7) / 11, 19, 1},
		{"Unused", 4, 0, 0, 0.5, 0, 0},     // never seen: the file's probability
		{"Verbal", 5, 0, 0, 0.5, 0, 0},     // file gives no probability: overall rate
		{"Discovery", -1, 0, 0, 0.5, 0, 0}, // seen only in data, still open
	}
	for i, tc := range tests {
		s := m.Stages[i]
		if s.Name != tc.stage || s.Position != tc.pos || s.Closed != tc.closed || s.Won != tc.won ||
			math.Abs(s.WinProb-tc.want) > 1e-12 || math.Abs(s.CycleDays-tc.cycle) > 1e-9 || s.CycleN != tc.cycleN {
			t.Errorf("stage %d = %+v, want %+v", i, s, tc)
		}
		if got := m.WinProbability(tc.stage); got != s.WinProb {
			t.Errorf("WinProbability(%s) = %v", tc.stage, got)
		}
	}
	if got := m.WinProbability("Nowhere"); got != m.WinRate {
		t.Errorf("unknown stage: %v, want overall rate", got)
	}
}

func TestStageNoStagesFileShrinksToOverallRate(t *testing.T) {
	m, err := FitStages(handDeals(), nil, asOf, StageOptions{PriorStrength: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.WinProbability("Propose"), (2+2*0.5)/4.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("Propose = %v, want %v", got, want)
	}
}

func TestStageEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		versions []DealVersion
		check    func(*testing.T, *StageModel)
	}{
		{"no deals", nil, func(t *testing.T, m *StageModel) {
			if m.Closed != 0 || m.WinRate != 0.5 || m.WinProbability("Propose") != 0.4 || m.CloseProbability("Propose", 10) != 0 {
				t.Errorf("model %+v", m)
			}
		}},
		{"no closed deals", history("E", step{"2024-01-01", "Qualify", Open, "2024-01-31"}), func(t *testing.T, m *StageModel) {
			if m.Closed != 0 || m.WinProbability("Qualify") != 0.1 || m.Slippage.SlipN != 0 || m.Slippage.SlipCDF(3) != 0 {
				t.Errorf("model %+v", m)
			}
		}},
		{"everything after as-of", history("Z", step{"2024-05-01", "Qualify", Won, "2024-05-01"}), func(t *testing.T, m *StageModel) {
			if m.Closed != 0 || len(m.Stages) != len(handStages()) {
				t.Errorf("model %+v", m)
			}
		}},
		{"won then lost counts as lost", history("R", step{"2024-01-02", "Propose", Open, "2024-01-20"},
			step{"2024-01-10", "Propose", Won, "2024-01-20"}, step{"2024-02-10", "Propose", Lost, "2024-01-20"}), func(t *testing.T, m *StageModel) {
			if m.Won != 0 || m.Closed != 1 || m.Stages[m.stageIndex("Propose")].CycleN != 0 {
				t.Errorf("model %+v", m)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := FitStages(tc.versions, handStages(), asOf, StageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m)
		})
	}
}

func TestCloseProbability(t *testing.T) {
	m, err := FitStages(handDeals(), handStages(), asOf, StageOptions{PriorStrength: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	// With 22-28 days left in January, Qualify held A (Jan 4-9, won Jan 20), B (Jan 4-10, lost) and C (Jan 5-10, won in February):
	// 6 won snapshot-days out of 19; February adds D (refunded, so not a win) on Feb 2-8 (28-22 days left): 6 of 26.
	tests := []struct {
		stage    string
		daysLeft float64
		want     float64
	}{
		{"Qualify", 25, 6.0 / 26},
		{"Qualify", 0, 0},
	}
	for _, tc := range tests {
		if got := m.CloseProbability(tc.stage, tc.daysLeft); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("CloseProbability(%s, %v) = %v, want %v", tc.stage, tc.daysLeft, got, tc.want)
		}
	}
	// C sat in Negotiate from Feb 1 to Feb 19 (29..11 days left) and was won on Feb 20, inside February.
	if got := m.CloseProbability("Negotiate", 15); math.Abs(got-1) > 1e-9 {
		t.Errorf("Negotiate with 15 days left = %v, want 1", got)
	}
	if got := m.CloseProbability("Nowhere", 10); got != 0 {
		t.Errorf("unknown stage = %v", got)
	}
}

func TestSlippage(t *testing.T) {
	m, err := FitStages(handDeals(), handStages(), asOf, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Slippage
	// C was pushed Jan 31 -> Feb 15 -> Feb 28; A closed 11 days early; C closed 20 days after its first date and 8 before Feb 28.
	if s.ClosedDeals != 4 || s.PushedShare != 0.25 || s.MeanPushes != 0.5 || s.MedianPushDays != 14 || s.SlipN != 3 {
		t.Fatalf("slippage %+v", s)
	}
	if got := s.SlipQuantiles[49]; got != -8 {
		t.Errorf("median slip %v, want -8", got)
	}
	if s.SlipCDF(-20) != 0 || s.SlipCDF(25) != 1 || s.SlipCDF(0) <= 0.5 || s.SlipCDF(0) >= 1 {
		t.Errorf("SlipCDF: %v %v %v", s.SlipCDF(-20), s.SlipCDF(0), s.SlipCDF(25))
	}
}

func TestStageOptionsErrors(t *testing.T) {
	if _, err := FitStages(nil, nil, asOf, StageOptions{Grain: "decade"}); err == nil {
		t.Error("want error for unknown grain")
	}
	if _, err := FitStages(nil, []StageInfo{{Name: "x", Probability: 40}}, asOf, StageOptions{}); err == nil {
		t.Error("want error for a percentage probability")
	}
}

func TestGrain(t *testing.T) {
	tests := []struct {
		g          Grain
		at         string
		start, end string
	}{
		{Month, "2024-02-15", "2024-02-01", "2024-03-01"},
		{"", "2024-02-15", "2024-02-01", "2024-03-01"},
		{Quarter, "2024-05-20", "2024-04-01", "2024-07-01"},
		{Week, "2024-03-06", "2024-03-04", "2024-03-11"}, // a Wednesday; weeks start Monday
		{Week, "2024-03-10", "2024-03-04", "2024-03-11"}, // a Sunday
	}
	for _, tc := range tests {
		if s, e := tc.g.Start(day(tc.at)), tc.g.End(day(tc.at)); !s.Equal(day(tc.start)) || !e.Equal(day(tc.end)) {
			t.Errorf("%s %s: [%s, %s), want [%s, %s)", tc.g, tc.at, s, e, tc.start, tc.end)
		}
	}
}
