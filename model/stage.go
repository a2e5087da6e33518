package model

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// DealStatus is a deal's state: open, won or lost.
type DealStatus string

// The deal statuses.
const (
	Open DealStatus = "open"
	Won  DealStatus = "won"
	Lost DealStatus = "lost"
)

// DealVersion is one recorded state of a deal; a deal's history is all its versions.
type DealVersion struct {
	DealID    string
	Stage     string
	Status    DealStatus
	Amount    float64
	CreatedAt time.Time
	CloseDate time.Time // expected close date as of this version
	ClosedAt  time.Time // when it was won or lost; zero while open
	UpdatedAt time.Time // when this version was recorded
}

// StageInfo is one entry of the firm's stages file.
type StageInfo struct {
	Name        string
	Position    int
	Probability float64 // default win probability 0-1; negative when the file gives none
}

// StageOptions tune the stage model; the zero value gives the documented defaults.
type StageOptions struct {
	Grain         Grain   // period length for in-period close chances; default month
	PriorStrength float64 // beta-prior pseudo-count toward the stages file (or overall rate); default 10
	BucketDays    int     // width of the days-left buckets; default 1 for week, 7 for month, 14 for quarter
}

// StageModel holds what the deal history says about stages as of one moment.
type StageModel struct {
	AsOf          time.Time   // only versions updated at or before this moment were used
	Grain         Grain       // period length of the close chances
	BucketDays    int         // width of the days-left buckets
	PriorStrength float64     // beta-prior pseudo-count
	Closed, Won   int         // closed deals and how many of them were won (last status)
	WinRate       float64     // (Won+1)/(Closed+2): the overall win rate with a uniform prior
	Stages        []StageStat // stages file order, then stages seen only in the data, by name
	Slippage      Slippage    // close-date pushes and slips
}

// StageStat is what the history says about one stage.
type StageStat struct {
	Name       string
	Position   int         // from the stages file, -1 when the file lacks the stage
	Closed     int         // closed deals ever in the stage
	Won        int         // of which won
	Prior      float64     // stages-file probability, or the overall win rate when missing
	WinProb    float64     // p(win | ever in stage): (Won + k Prior) / (Closed + k), k = PriorStrength
	CycleDays  float64     // median days from entering the stage to a win, 0 when CycleN is 0
	CycleN     int         // won deals behind CycleDays
	CloseRates []CloseRate // chance an open deal in the stage is won by period end, by days left
}

// CloseRate is the chance of a win by period end for open deals with a range of days left.
type CloseRate struct {
	DaysLeftMin  int     // smallest days left in the bucket (inclusive)
	DaysLeftMax  int     // largest days left in the bucket (inclusive)
	Observations float64 // deal-periods seen in the bucket (daily snapshots weighted 1/BucketDays)
	Rate         float64 // share won by period end, shrunk toward all stages' rate for the bucket
}

// dealHistory is one deal's versions up to the as-of moment, oldest first.
type dealHistory []DealVersion

// final returns the deal's latest version.
func (h dealHistory) final() DealVersion { return h[len(h)-1] }

// closed reports whether the deal's latest status is won or lost.
func (h dealHistory) closed() bool { return h.final().Status == Won || h.final().Status == Lost }

// won reports whether the deal's latest status is won (won then lost counts as lost).
func (h dealHistory) won() bool { return h.final().Status == Won }

// closedAt returns when the deal closed: ClosedAt of the latest version, else the first version with that status.
func (h dealHistory) closedAt() time.Time {
	if f := h.final(); !f.ClosedAt.IsZero() {
		return f.ClosedAt
	}
	for _, v := range h {
		if v.Status == h.final().Status {
			return v.UpdatedAt
		}
	}
	return h.final().UpdatedAt
}

// entered returns when the deal first entered each stage.
func (h dealHistory) entered() map[string]time.Time {
	out := map[string]time.Time{}
	for i, v := range h {
		if _, ok := out[v.Stage]; ok {
			continue
		}
		at := v.UpdatedAt
		if i == 0 && !v.CreatedAt.IsZero() && v.CreatedAt.Before(at) {
			at = v.CreatedAt
		}
		out[v.Stage] = at
	}
	return out
}

// stateAt returns the version in force at moment m and whether there is one.
func (h dealHistory) stateAt(m time.Time) (DealVersion, bool) {
	i := sort.Search(len(h), func(i int) bool { return h[i].UpdatedAt.After(m) })
	if i == 0 {
		return DealVersion{}, false
	}
	return h[i-1], true
}

// histories groups versions updated at or before asOf by deal, each sorted by UpdatedAt.
func histories(versions []DealVersion, asOf time.Time) []dealHistory {
	byID := map[string]int{}
	var out []dealHistory
	for _, v := range versions {
		if v.UpdatedAt.After(asOf) {
			continue
		}
		i, ok := byID[v.DealID]
		if !ok {
			i = len(out)
			byID[v.DealID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], v)
	}
	for _, h := range out {
		sort.SliceStable(h, func(a, b int) bool { return h[a].UpdatedAt.Before(h[b].UpdatedAt) })
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0].DealID < out[b][0].DealID })
	return out
}

// FitStages computes win chances, in-period close chances, slippage and cycle lengths from deal histories as of asOf.
func FitStages(versions []DealVersion, stages []StageInfo, asOf time.Time, opts StageOptions) (*StageModel, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	for _, s := range stages {
		if s.Probability > 1 || math.IsNaN(s.Probability) {
			return nil, fmt.Errorf("model: stage %q probability %v must be 0-1 (negative when unknown)", s.Name, s.Probability)
		}
	}
	deals := histories(versions, asOf)
	m := &StageModel{AsOf: asOf, Grain: o.Grain, BucketDays: o.BucketDays, PriorStrength: o.PriorStrength}
	m.countOutcomes(deals)
	m.Stages = stageList(stages, deals)
	for i := range m.Stages {
		m.Stages[i].Prior = m.WinRate
	}
	for _, s := range stages {
		if s.Probability >= 0 {
			m.Stages[m.stageIndex(s.Name)].Prior = s.Probability
		}
	}
	m.winChances(deals)
	m.cycles(deals)
	m.closeRates(deals)
	m.Slippage = slippage(deals, o.Grain)
	return m, nil
}

// withDefaults fills unset stage options.
func (o StageOptions) withDefaults() (StageOptions, error) {
	o.Grain = o.Grain.orDefault()
	if err := o.Grain.Validate(); err != nil {
		return o, err
	}
	if o.PriorStrength == 0 {
		o.PriorStrength = 10
	}
	if o.PriorStrength < 0 {
		return o, fmt.Errorf("model: prior strength %v must be >= 0", o.PriorStrength)
	}
	if o.BucketDays <= 0 {
		o.BucketDays = map[Grain]int{Week: 1, Month: 7, Quarter: 14}[o.Grain]
	}
	return o, nil
}

// countOutcomes sets Closed, Won and the overall win rate.
func (m *StageModel) countOutcomes(deals []dealHistory) {
	for _, h := range deals {
		if h.closed() {
			m.Closed++
			if h.won() {
				m.Won++
			}
		}
	}
	m.WinRate = (float64(m.Won) + 1) / (float64(m.Closed) + 2)
}

// stageList returns the stages file's stages by position, then stages seen only in the data, by name.
func stageList(file []StageInfo, deals []dealHistory) []StageStat {
	sorted := append([]StageInfo(nil), file...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].Position < sorted[b].Position })
	known := map[string]bool{}
	var out []StageStat
	for _, s := range sorted {
		if !known[s.Name] {
			known[s.Name] = true
			out = append(out, StageStat{Name: s.Name, Position: s.Position})
		}
	}
	var extra []string
	for _, h := range deals {
		for _, v := range h {
			if !known[v.Stage] {
				known[v.Stage] = true
				extra = append(extra, v.Stage)
			}
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		out = append(out, StageStat{Name: name, Position: -1})
	}
	return out
}

// stageIndex returns the index of a stage by name, -1 when unknown.
func (m *StageModel) stageIndex(name string) int {
	for i, s := range m.Stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// winChances sets p(win | ever in stage), shrunk toward each stage's prior.
func (m *StageModel) winChances(deals []dealHistory) {
	for _, h := range deals {
		if !h.closed() {
			continue
		}
		for stage := range h.entered() {
			s := &m.Stages[m.stageIndex(stage)]
			s.Closed++
			if h.won() {
				s.Won++
			}
		}
	}
	for i := range m.Stages {
		s := &m.Stages[i]
		s.WinProb = shrink(float64(s.Won), float64(s.Closed), s.Prior, m.PriorStrength)
	}
}

// shrink returns the beta-posterior mean (wins + k prior) / (n + k), the prior itself when both are 0.
func shrink(wins, n, prior, k float64) float64 {
	if n+k == 0 {
		return prior
	}
	return (wins + k*prior) / (n + k)
}

// cycles sets each stage's median days from first entering it to a win.
func (m *StageModel) cycles(deals []dealHistory) {
	days := make([][]float64, len(m.Stages))
	for _, h := range deals {
		if !h.won() {
			continue
		}
		closed := h.closedAt()
		for stage, at := range h.entered() {
			i := m.stageIndex(stage)
			days[i] = append(days[i], closed.Sub(at).Hours()/24)
		}
	}
	for i, d := range days {
		m.Stages[i].CycleN = len(d)
		m.Stages[i].CycleDays = quantileOf(d, 0.5)
	}
}

// WinProbability returns p(win | ever in stage), the overall win rate for a stage the model does not know.
func (m *StageModel) WinProbability(stage string) float64 {
	if i := m.stageIndex(stage); i >= 0 {
		return m.Stages[i].WinProb
	}
	return m.WinRate
}
