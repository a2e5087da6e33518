package forecast

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
	"github.com/salesrecipe/salesrecipe/queries"
)

func ptr(v float64) *float64 { return &v }

func TestNeedJSON(t *testing.T) {
	tests := []struct {
		need Need
		want string
	}{
		{Need{Kind: "demo", Additional: 4}, `{"kind":"demo","additional":4}`},
		{Need{Kind: KindPipeline, Additional: 12000}, `{"kind":"pipeline","additional":12000}`},
		{Need{Kind: "call", Additional: 300, OutOfReach: true}, `{"kind":"call","additional":null}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.need)
		if err != nil || string(b) != tt.want {
			t.Errorf("%+v: %s %v, want %s", tt.need, b, err, tt.want)
		}
		var back Need
		if err := json.Unmarshal(b, &back); err != nil || back.Kind != tt.need.Kind || back.OutOfReach != tt.need.OutOfReach {
			t.Errorf("round trip of %s: %+v %v", b, back, err)
		}
	}
}

func TestRollupSumsRepsAndDividesSums(t *testing.T) {
	c := &Combiner{Grid: []float64{0}, Pipeline: []float64{1}, NewBusiness: [][]float64{{0, 0, 0, 0, 0}},
		Point: []float64{0.5}, Low: []float64{0.1}, High: []float64{0.9}, TeamLow: []float64{0.1}, TeamHigh: []float64{0.9}}
	reps := []RepRow{
		{RepID: "a", Team: "East", Money: Money{Quota: ptr(100), ClosedWon: 90, PipelineOpen: 100, PipelineWeighted: 50, Forecast: 120}},
		{RepID: "b", Team: "East", Money: Money{Quota: ptr(100), ClosedWon: 0, PipelineOpen: 50, PipelineWeighted: 10, Forecast: 20}},
		{RepID: "c", Team: "West", Money: Money{ClosedWon: 5, PipelineOpen: 10, PipelineWeighted: 5, Forecast: 8}},
	}
	draws := [][]float64{{110, 130}, {10, 30}, {5, 11}}
	sources := []drawSet{{pipeline: []float64{20, 40}, fresh: []float64{0, 0}}, {pipeline: []float64{5, 10}, fresh: []float64{5, 20}},
		{pipeline: []float64{0, 3}, fresh: []float64{0, 3}}}
	teams, firm := rollup(c.at(0.5), reps, draws, sources)
	east := teams[0].Money
	// coverage sum over sum: 150 / (200 - 90); an average of the reps' ratios would be (10 + 0.5) / 2.
	if teams[0].Team != "East" || east.Forecast != 140 || *east.Quota != 200 || *east.Coverage != round4(150.0/110) ||
		*east.Attainment != 0.7 || *east.Gap != 60 || *east.RequiredCoverage != round4(150.0/60) {
		t.Errorf("East: %+v", east)
	}
	if east.Low > east.Forecast || east.High < east.Forecast {
		t.Errorf("East interval %v-%v misses its forecast %v", east.Low, east.High, east.Forecast)
	}
	west := teams[1].Money
	if west.Quota != nil || west.Attainment != nil || west.Coverage != nil || west.Gap != nil || west.Forecast != 8 {
		t.Errorf("West without quota: %+v", west)
	}
	if firm.Forecast != 148 || *firm.Quota != 200 || firm.Reps != 3 || *firm.Coverage != round4(160.0/105) {
		t.Errorf("firm: %+v", firm)
	}
}

func TestRatiosUndefinedAreNil(t *testing.T) {
	tests := []struct {
		name  string
		m     Money
		check func(Money) bool
	}{
		{"no quota", Money{PipelineOpen: 10, PipelineWeighted: 5}, func(m Money) bool {
			return m.Attainment == nil && m.Coverage == nil && m.Gap == nil && *m.RequiredCoverage == 2
		}},
		{"quota met", Money{Quota: ptr(100), ClosedWon: 120, Forecast: 120, PipelineOpen: 10}, func(m Money) bool {
			return m.Coverage == nil && *m.Gap == -20 && m.RequiredCoverage == nil && *m.Attainment == 1.2
		}},
		{"zero quota", Money{Quota: ptr(0), Forecast: 5}, func(m Money) bool {
			return m.Attainment == nil && m.Coverage == nil && *m.Gap == -5
		}},
	}
	for _, tt := range tests {
		m := tt.m
		m.ratios()
		if !tt.check(m) {
			t.Errorf("%s: %+v", tt.name, m)
		}
	}
}

// needsModel is a recipe where a demo lands half its value in its own period and a call only later; an e-mail
// lands at once but its interval includes zero; rep "a" once created 60,000 of pipeline in a month.
func needsModel() *Model {
	rc := &model.Recipe{Kinds: []model.KindEffect{
		{Kind: "demo", Value: 1000, CILow: 800, CIHigh: 1200, Lags: []model.LagShare{{Lag: 0, Share: 0.5}, {Lag: 1, Share: 0.5}}},
		{Kind: "call", Value: 100, CILow: 60, CIHigh: 140, Lags: []model.LagShare{{Lag: 0, Share: 0}, {Lag: 1, Share: 1}}},
		{Kind: "email", Value: 51, CILow: 0, CIHigh: 111, Lags: []model.LagShare{{Lag: 0, Share: 1}}},
	}}
	return &Model{Grain: "month", Recipe: rc, Built: map[string]float64{"a": 60000}}
}

func TestWhatItTakes(t *testing.T) {
	mc := mixContext{firm: map[string]float64{"demo": 10}, conversion: 0.25}
	tests := []struct {
		name   string
		rep    string
		f      repFeatures
		gap    float64
		want   map[string]float64 // additional per kind; -1 means out of reach
		reason string             // part of the pipeline lever's reason, when out of reach
	}{
		// Half the period left: a demo spread over it lands 1000 * 0.5 * 0.5 = 250; a call lands nothing in time;
		// an e-mail would land 25.5 but its value may be zero, so it is never asked for.
		{"mid period", "a", repFeatures{Tau: 0.5, Rest: map[string]float64{"demo": 10, "call": 40, "email": 50}, Peak: 100, Open: 100, PIn: 40},
			2000, map[string]float64{"demo": 8, KindPipeline: 5000}, ""},
		{"beyond the rep's pace", "a", repFeatures{Tau: 0.5, Rest: map[string]float64{"demo": 2}, Peak: 4, Open: 100, PIn: 40},
			20000, map[string]float64{"demo": -1, KindPipeline: 50000}, ""},
		{"more pipeline than ever built", "a", repFeatures{Tau: 0.5, Rest: map[string]float64{"demo": 2}, Peak: 4, Open: 100, PIn: 2},
			35500, map[string]float64{"demo": -1, KindPipeline: -1}, "the most this rep has created in one month is 60000"},
		{"never built any", "b", repFeatures{Tau: 0.5, Rest: map[string]float64{}, Peak: 40, Open: 100, PIn: 40},
			100, map[string]float64{"demo": 1, KindPipeline: -1}, "never created any"},
		{"period over", "a", repFeatures{Tau: 1, Rest: map[string]float64{}, Peak: 40, Open: 100, PIn: 0},
			500, map[string]float64{KindPipeline: -1}, "the period is over"},
		{"only a kind that may be worth nothing", "a", repFeatures{Tau: 0.5, Rest: map[string]float64{"email": 50}, Peak: 100},
			100, map[string]float64{"demo": 1, KindPipeline: 400}, ""},
		{"no pipeline: the firm's conversion", "a", repFeatures{Tau: 0.9, Rest: map[string]float64{}, Peak: 0},
			100, map[string]float64{"demo": -1, KindPipeline: 400}, ""},
	}
	for _, tt := range tests {
		got := whatItTakes(needsModel(), tt.rep, &tt.f, tt.gap, mc)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %+v, want %v", tt.name, got, tt.want)
			continue
		}
		for _, n := range got {
			want, ok := tt.want[n.Kind]
			switch {
			case !ok:
				t.Errorf("%s: unexpected %+v", tt.name, n)
			case want < 0 && (!n.OutOfReach || n.Reason == ""):
				t.Errorf("%s: %s should be out of reach with a reason: %+v", tt.name, n.Kind, n)
			case want >= 0 && (n.OutOfReach || n.Additional != want || n.Reason != ""):
				t.Errorf("%s: %s = %+v, want %v", tt.name, n.Kind, n, want)
			case n.Kind == KindPipeline && !strings.Contains(n.Reason, tt.reason):
				t.Errorf("%s: pipeline reason %q, want it to say %q", tt.name, n.Reason, tt.reason)
			}
		}
	}
}

func TestHistoryActiveSpans(t *testing.T) {
	month := func(m int) time.Time { return time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	counts := []queries.ActivityCount{
		{RepID: "stayer", Period: month(1), Kind: "call", N: 5},
		{RepID: "stayer", Period: month(4), Kind: "demo", N: 2},
		{RepID: "joiner", Period: month(3), Kind: "call", N: 7}, // then quiet in the last month: not observed there
		{RepID: "leaver", Period: month(1), Kind: "call", N: 3},
	}
	revenue := []queries.Revenue{
		{RepID: "leaver", Period: month(2), Amount: 900}, // a deal sourced before leaving closes after
		{RepID: "ghost", Period: month(4), Amount: 100},  // not in the reps file
	}
	reps := []salesrecipe.Rep{{ID: "stayer"}, {ID: "joiner"}, {ID: "leaver"}, {ID: "idle"}}
	h := buildHistory(salesrecipe.GrainMonth, salesrecipe.NewPeriod(salesrecipe.GrainMonth, month(5)), counts, revenue, reps, month(5))
	p := h.Panel
	if p.Periods != 4 || !h.From().Equal(month(1)) || !h.To().Equal(month(5)) || len(p.Kinds) != 2 {
		t.Fatalf("panel shape: %d periods from %v to %v, kinds %v", p.Periods, h.From(), h.To(), p.Kinds)
	}
	want := map[string]string{"stayer": "XXXX", "joiner": "..X.", "leaver": "XX..", "idle": "....", "ghost": "...X"}
	for r, id := range p.Reps {
		got := ""
		for _, a := range p.Active[r] {
			got += map[bool]string{true: "X", false: "."}[a]
		}
		if got != want[id] {
			t.Errorf("%s active %s, want %s", id, got, want[id])
		}
	}
	if empty := buildHistory(salesrecipe.GrainMonth, salesrecipe.NewPeriod(salesrecipe.GrainMonth, month(5)), nil, nil, reps, month(5)); len(empty.Periods) != 0 {
		t.Errorf("no data gave %d periods", len(empty.Periods))
	}
}

func TestWinModelLearnsAndMovesSmoothly(t *testing.T) {
	// Simulated snapshots: a deal in stage 1 wins twice as often as one in stage 0, and a deal wins
	// before the period ends only when its true close falls before the end.
	rng := rand.New(rand.NewPCG(3, 4))
	const length = 30 * 86400.0
	w := &WinModel{AmountRef: 1000}
	var rows []winRow
	for range 20000 {
		stage := rng.IntN(2)
		left := 0.02 + 0.98*rng.Float64()
		end := int64(100 * length)
		m := end - int64(left*length)
		close := m + int64((rng.Float64()*1.5-0.2)*length)
		d := dealAt{stage: stage, amount: 1000, closeDate: close, created: m - int64(length), stageSince: m - int64(length/2)}
		win := []float64{0.3, 0.6}[stage]
		row := winRow{stage: int32(stage), weight: 1, won: close < end && rng.Float64() < win}
		var x [winInputs]float64
		w.inputs(x[:], d, m, end, length)
		for i, v := range x {
			row.x[i] = float32(v)
		}
		rows = append(rows, row)
	}
	fit := fitWinModel([]string{"a", "b"}, rows, 1000, nil)
	end := int64(100 * length)
	m := end - int64(length/2)
	in := dealAt{stage: 1, amount: 1000, closeDate: m + int64(length/4), created: m - int64(length), stageSince: m - int64(length/2)}
	out := in
	out.closeDate = m + int64(length)
	if p := fit.prob(in, m, end, length); p < 0.45 || p > 0.75 {
		t.Errorf("stage 1 closing inside the period: chance %.3f, want about 0.6", p)
	}
	if pIn, pOut := fit.prob(in, m, end, length), fit.prob(out, m, end, length); pOut >= pIn/3 {
		t.Errorf("closing after the period: chance %.3f, not well below %.3f", pOut, pIn)
	}
	lo := in
	lo.stage = 0
	if p0, p1 := fit.prob(lo, m, end, length), fit.prob(in, m, end, length); p0 >= p1 {
		t.Errorf("stage 0 chance %.3f not below stage 1's %.3f", p0, p1)
	}
	for h := int64(0); h < 24*12; h++ { // the middle of the period up to 3 days before its end
		a, b := fit.prob(in, m+h*3600, end, length), fit.prob(in, m+(h+1)*3600, end, length)
		if math.Abs(a-b) > 0.005*math.Max(a, b) {
			t.Fatalf("an hour later (hour %d) the chance moved from %.4f to %.4f", h, a, b)
		}
	}
	if p := fit.prob(in, end, end, length); p != 0 {
		t.Errorf("at the period end the chance is %.3f, want 0", p)
	}
}

func TestWinModelRecoversFromABadStart(t *testing.T) {
	// A few hundred snapshots of two stages, and a start far off (as a fit on too little data once
	// left it): the fit must end where a fit from the base rate ends, not run further off.
	rng := rand.New(rand.NewPCG(5, 6))
	const length = 30 * 86400.0
	w := &WinModel{AmountRef: 1000}
	var rows []winRow
	for range 300 {
		stage := rng.IntN(2)
		end := int64(100 * length)
		m := end - int64((0.05+0.9*rng.Float64())*length)
		close := m + int64((rng.Float64()*1.5-0.2)*length)
		d := dealAt{stage: stage, amount: 1000, closeDate: close, created: m - int64(length), stageSince: m - int64(length/2)}
		row := winRow{stage: int32(stage), weight: 1, won: close < end && rng.Float64() < []float64{0.2, 0.7}[stage]}
		var x [winInputs]float64
		w.inputs(x[:], d, m, end, length)
		for i, v := range x {
			row.x[i] = float32(v)
		}
		rows = append(rows, row)
	}
	stages := []string{"a", "b"}
	cold := fitWinModel(stages, rows, 1000, nil)
	bad := &WinModel{Stages: stages, Coef: make([]float64, len(cold.Coef))}
	for i := range bad.Coef {
		bad.Coef[i] = 300 * float64(1-2*(i%2))
	}
	warm := fitWinModel(stages, rows, 1000, bad)
	ft := &winFit{rows: rows, stages: len(stages)}
	if lc, lw := ft.loss(cold.Coef), ft.loss(warm.Coef); math.Abs(lc-lw) > 1e-3*lc {
		t.Errorf("penalized loss from a bad start %.4f, from the base rate %.4f", lw, lc)
	}
	for i, c := range cold.Coef {
		if math.Abs(c) > 20 {
			t.Errorf("coefficient %d is %.1f: the fit ran off", i, c)
		}
	}
}

func TestAmountSampleKeepsTheTail(t *testing.T) {
	many := make([]float64, 5000)
	for i := range many {
		many[i] = float64(i + 1)
	}
	for _, tc := range []struct {
		name     string
		in       []float64
		wantLen  int
		min, max float64
	}{
		{"few amounts are kept as they are", []float64{1, 2, 30}, 3, 1, 30},
		{"many are thinned to the cap, smallest and largest kept", many, maxAmountSample, 1, 5000},
	} {
		out := amountSample(tc.in)
		if len(out) != tc.wantLen || out[0] != tc.min || out[len(out)-1] != tc.max {
			t.Errorf("%s: %d amounts from %.0f to %.0f, want %d from %.0f to %.0f", tc.name, len(out), out[0], out[len(out)-1], tc.wantLen, tc.min, tc.max)
		}
		if m, want := meanOf(out), meanOf(tc.in); math.Abs(m-want) > 0.01*want {
			t.Errorf("%s: mean %.1f, want %.1f", tc.name, m, want)
		}
	}
}

func TestOlderStageModelAsksForARefit(t *testing.T) {
	older := &WinModel{Stages: []string{"a"}, Coef: make([]float64, 3+18)} // three stage blocks, 18 inputs
	body, err := json.Marshal(&Model{Firm: "acme", Pipeline: &Pipeline{Win: older}, Combiner: &Combiner{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeModel(queries.StoredRecipe{Firm: "acme", Body: string(body)}); err == nil || !strings.Contains(err.Error(), "refit") {
		t.Errorf("a stage model of other inputs: error %v, want one asking for a refit", err)
	}
}

func TestProrateQuotas(t *testing.T) {
	q := func(rep, start string, g salesrecipe.Grain, amount float64) salesrecipe.Quota {
		return salesrecipe.Quota{RepID: rep, PeriodStart: mustTime(t, start+"T00:00:00Z"), Period: g, Amount: amount}
	}
	qs := []salesrecipe.Quota{
		q("monthly", "2026-01-01", salesrecipe.GrainMonth, 100), q("monthly", "2026-02-01", salesrecipe.GrainMonth, 200),
		q("monthly", "2026-03-01", salesrecipe.GrainMonth, 300), q("quarterly", "2026-01-01", salesrecipe.GrainQuarter, 900),
	}
	quarter, _ := salesrecipe.ParsePeriod("2026-Q1")
	feb, _ := salesrecipe.ParsePeriod("2026-02")
	if got := prorate(qs, quarter); got["monthly"] != 600 || got["quarterly"] != 900 {
		t.Errorf("quarter: %v", got)
	}
	got := prorate(qs, feb)
	if got["monthly"] != 200 || math.Abs(got["quarterly"]-900*28.0/90) > 1e-9 {
		t.Errorf("February: %v", got)
	}
}

func TestDrawsAreReproducibleAndFloorAtClosed(t *testing.T) {
	c := &Combiner{Grid: []float64{0, 0.5}, Pipeline: []float64{1, 1}, NewBusiness: [][]float64{{0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}},
		Point: []float64{0.5, 0.5}, Low: []float64{0.1, 0.1}, High: []float64{0.9, 0.9}, TeamLow: []float64{0.1, 0.1},
		TeamHigh: []float64{0.9, 0.9}, Amounts: []float64{100, 200, 300}}
	f := &repFeatures{Tau: 0.5, Closed: 50, Present: true, Deals: []chance{{0.5, 1000}, {0.9, 10}}}
	a, b := c.predict("r1", "t", f, 1), c.predict("r1", "t", f, 1)
	if a.forecast != b.forecast || a.low != b.low || a.high != b.high {
		t.Fatalf("same seed, different forecasts: %+v %+v", a, b)
	}
	if a.low < f.Closed || a.high < a.forecast || a.forecast < a.low {
		t.Fatalf("forecast %v interval %v-%v with %v closed", a.forecast, a.low, a.high, f.Closed)
	}
	mean := 0.0
	for _, d := range a.draws {
		mean += d / float64(len(a.draws))
	}
	// closed 50 + 0.5*1000 + 0.9*10 + new business: 0.5 deals of 200 on average = 659
	if math.Abs(mean-659) > 60 {
		t.Errorf("mean of draws %v, want about 659", mean)
	}
	if over := c.predict("r1", "t", &repFeatures{Tau: 1, Closed: 70, Deals: f.Deals}, 1); over.forecast != 70 || over.high != 70 {
		t.Errorf("a period that is over forecasts its closed won: %+v", over)
	}
}

func TestNewBusinessDispersionIsLearnedAndDrawn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// one input, the presence: a mean of 3 new won deals a rep-month at the period's start
	rowsOf := func(rate func() float64) []sample {
		var rows []sample
		for i := range 4000 {
			rows = append(rows, sample{period: i % 10, f: &repFeatures{Present: true}, fresh: float64(poisson(rng, 3*rate()))})
		}
		return rows
	}
	w := []float64{0, 0, 0, 0, 3}
	tests := []struct {
		name   string
		rate   func() float64
		lo, hi float64
	}{
		{"poisson", func() float64 { return 1 }, 0, 0.03},
		{"gamma-mixed, variance 0.5", func() float64 { return rng.ExpFloat64()*0.5 + rng.ExpFloat64()*0.5 }, 0.4, 0.6},
	}
	for _, tt := range tests {
		if got := dispersionOf(rowsOf(tt.rate), w, nil); got < tt.lo || got > tt.hi {
			t.Errorf("%s: dispersion %.3f, want %.2f-%.2f", tt.name, got, tt.lo, tt.hi)
		}
	}
	var sum, squares float64
	const n = 20000
	for i := range uint64(n) {
		m := mixing(0.5, 7, i)
		sum, squares = sum+m, squares+m*m
	}
	mean := sum / n
	if v := squares/n - mean*mean; math.Abs(mean-1) > 0.02 || math.Abs(v-0.5) > 0.05 {
		t.Errorf("mixing factor: mean %.3f variance %.3f, want 1 and 0.5", mean, v)
	}
	if mixing(0, 7, 3) != 1 {
		t.Error("no dispersion must leave the mean as it is")
	}
}

func TestSharedFactorsAreLearnedAndDrawn(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lognormal := func(v float64) float64 { // mean 1, variance v
		s2 := math.Log1p(v)
		return math.Exp(math.Sqrt(s2)*rng.NormFloat64() - s2/2)
	}
	// 40 periods of 4 teams of 8 reps, each expecting 3 deals of 1000 beyond 500 closed: what they win
	// is Poisson around the mean times the firm's factor (variance 0.2) and the team's (0.3)
	const firmVar, teamVar = 0.2, 0.3
	own := drawSet{pipeline: []float64{1000, 2000}, fresh: []float64{1000, 2000}} // mean 3000
	var rows []sample
	var parts []drawSet
	for period := range 40 {
		firm := lognormal(firmVar)
		for team := range 4 {
			shared := firm * lognormal(teamVar)
			for rep := range 8 {
				rows = append(rows, sample{period: period, team: string(rune('a' + team)), rep: string(rune('a'+team)) + string(rune('0'+rep)),
					f: &repFeatures{Closed: 500}, actual: 500 + 1000*float64(poisson(rng, 3*shared))})
				parts = append(parts, own)
			}
		}
	}
	firm, team := commonOf(rows, parts)
	wantTeam := (1+firmVar)*(1+teamVar) - 1
	if math.Abs(firm-firmVar) > 0.1 || math.Abs(team-wantTeam) > 0.15 {
		t.Errorf("shared variances: firm %.3f, team %.3f; want about %.2f and %.2f", firm, team, firmVar, wantTeam)
	}
	if f, tm := commonOf(rows[:8], parts[:8]); f != 0 || tm < 0 {
		t.Errorf("one team of one period: firm %.3f team %.3f, want 0 and at least 0", f, tm)
	}
	// two reps' drawn factors have the learned covariances and mean 1
	p := params{commonFirm: 0.2, commonTeam: 0.5}
	const n = 40000
	var a, b, c, ab, ac, aa float64
	for i := range uint64(n) {
		x := p.shared(seedsOf("r1", "t1", 5, 0), i)
		y := p.shared(seedsOf("r2", "t1", 5, 0), i)
		z := p.shared(seedsOf("r3", "t2", 5, 0), i)
		a, b, c, ab, ac, aa = a+x, b+y, c+z, ab+x*y, ac+x*z, aa+x*x
	}
	a, b, c = a/n, b/n, c/n
	for _, tt := range []struct {
		name      string
		got, want float64
	}{
		{"mean", a, 1}, {"variance", aa/n - a*a, 0.5}, {"covariance within a team", ab/n - a*b, 0.5}, {"covariance across teams", ac/n - a*c, 0.2},
	} {
		if math.Abs(tt.got-tt.want) > 0.05 {
			t.Errorf("shared factor %s %.3f, want %.2f", tt.name, tt.got, tt.want)
		}
	}
	if (params{}).shared(seedsOf("r1", "t1", 5, 0), 3) != 1 {
		t.Error("no shared variance must leave the draws as they are")
	}
}

// poisson draws a Poisson number of mean mu.
func poisson(rng *rand.Rand, mu float64) int {
	k, t := 0, rng.ExpFloat64()
	for t < mu {
		k++
		t += rng.ExpFloat64()
	}
	return k
}

func TestStaleDealsFadeOut(t *testing.T) {
	tests := []struct{ overdue, want float64 }{{-1, 1}, {0, 1}, {staleFrom, 1}, {(staleFrom + staleTo) / 2, 0.5}, {staleTo, 0}, {40, 0}}
	for _, tt := range tests {
		if got := staleFactor(tt.overdue); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("staleFactor(%v) = %v, want %v", tt.overdue, got, tt.want)
		}
	}
	for o := staleFrom; o < staleTo; o += 0.01 {
		if staleFactor(o+0.01) > staleFactor(o) {
			t.Fatalf("staleFactor rises between %v and %v", o, o+0.01)
		}
	}
}

func TestStoredZeroRecipeIsShownAsNone(t *testing.T) {
	zero := &model.Recipe{Method: model.MethodFreeLags, R2: 0.42, Kinds: []model.KindEffect{{Kind: "call"}, {Kind: "demo"}}}
	for _, tc := range []struct {
		name string
		rc   *model.Recipe
		want bool
	}{{"every kind at zero", zero, false}, {"a kind with a value", needsModel().Recipe, true}} {
		body, err := json.Marshal(&Model{Firm: "acme", Recipe: tc.rc, Pipeline: &Pipeline{Win: fitWinModel(nil, nil, 1, nil)}, Combiner: &Combiner{}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := decodeModel(queries.StoredRecipe{Firm: "acme", Body: string(body)})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m.View(); ok != tc.want || (!ok && !strings.Contains(m.Thin, "no measurable recipe")) {
			t.Errorf("%s: view %v, thin %q; want a recipe: %v", tc.name, ok, m.Thin, tc.want)
		}
	}
}
