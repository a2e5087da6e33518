package forecast

import (
	"math"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Close-date buckets of an open deal relative to the target period and the moment.
const (
	cdOverdue = iota // expected close already passed, by less than a period
	cdStale          // expected close passed more than a period ago
	cdIn             // expected close ahead, inside the period
	cdNext           // expected close in the following period
	cdLater          // expected close further out
	cdBuckets
)

// leftEdges are the upper edges of the time-left buckets, as fractions of the period length.
var leftEdges = []float64{0.1, 0.25, 0.5, 0.75, 1, 2}

// Pipeline is the learned stage model: the chance that an open deal is won inside the target period,
// by stage, where its expected close date falls and how much of the period is left, plus each rep's
// shrunk win factor. It is estimated from daily snapshots of open deals in complete past periods.
type Pipeline struct {
	Grain       salesrecipe.Grain  `json:"grain"`
	Prior       float64            `json:"prior"`        // pseudo-count (deal-weeks) of each shrinkage step
	Global      float64            `json:"global"`       // share of open deal-weeks won inside their period
	Stages      []string           `json:"stages"`       // known stages, index of the rate tables
	Rates       [][][]float64      `json:"rates"`        // [stage][close-date bucket][time-left bucket], shrunk
	RepFactor   map[string]float64 `json:"rep_factor"`   // won / expected per rep, shrunk toward 1
	Snapshots   float64            `json:"snapshots"`    // deal-weeks observed
	TrainedFrom time.Time          `json:"trained_from"` // first target period start
}

// tally counts weighted snapshots and wins of one cell.
type tally struct{ n, won float64 }

// snapshot is one open deal seen at noon of one day, for one target period.
type snapshot struct {
	rep, stage, cd, left int32
	won, own             bool // won inside the target; the target is the day's own period
}

// pipelineTrainer accumulates snapshots for one fit.
type pipelineTrainer struct {
	cal    *calendar
	stage  map[string]int
	rep    map[string]int
	snaps  []snapshot
	weight float64
}

// fitPipeline learns the stage model from deal histories known at asOf (book), over complete periods
// starting at from or later.
func fitPipeline(b *book, grain salesrecipe.Grain, stages []salesrecipe.Stage, from time.Time) *Pipeline {
	tr := &pipelineTrainer{cal: newCalendar(grain, from, b.asOf), stage: map[string]int{}, rep: map[string]int{}, weight: 1.0 / 7}
	for _, s := range stages {
		tr.index(s.Name)
	}
	for _, h := range b.deals {
		tr.deal(h)
	}
	p := tr.model(grain)
	p.TrainedFrom = from
	tr.repFactors(p)
	return p
}

// index returns a stage's table index, adding it when new.
func (tr *pipelineTrainer) index(stage string) int {
	i, ok := tr.stage[stage]
	if !ok {
		i = len(tr.stage)
		tr.stage[stage] = i
	}
	return i
}

// repIndex returns a rep's index, adding it when new.
func (tr *pipelineTrainer) repIndex(rep string) int {
	i, ok := tr.rep[rep]
	if !ok {
		i = len(tr.rep)
		tr.rep[rep] = i
	}
	return i
}

// deal records one snapshot per day (at noon) the deal was open, for the period holding the day and
// the next, when those periods ended by the as-of moment.
func (tr *pipelineTrainer) deal(h []salesrecipe.Deal) {
	final := h[len(h)-1]
	start := h[0].UpdatedAt
	if !final.CreatedAt.IsZero() && final.CreatedAt.Before(start) {
		start = final.CreatedAt
	}
	won := final.Status == salesrecipe.StatusWon
	closed := final.ClosedAt.Unix()
	rep := int32(tr.repIndex(final.RepID))
	v := 0
	for d := tr.cal.firstDay(start); d < len(tr.cal.days); d++ {
		day := tr.cal.days[d]
		for v < len(h) && h[v].UpdatedAt.Unix() <= day.noon {
			v++
		}
		if v == 0 {
			continue
		}
		state := h[v-1]
		if state.Status != salesrecipe.StatusOpen {
			return
		}
		cd, stage := state.CloseDate.Unix(), int32(tr.index(state.Stage))
		for off, own := range []bool{true, false} {
			t := day.period + off
			if t < 1 || t >= tr.cal.complete { // period 0 precedes from: its days only target the next
				continue
			}
			pi := tr.cal.periods[t]
			tr.snaps = append(tr.snaps, snapshot{rep: rep, stage: stage, own: own,
				cd: int32(pi.closeBucket(cd, day.start)), left: int32(pi.leftBucket(day.noon)),
				won: won && closed >= day.noon && closed < pi.end})
		}
	}
}

// model tallies the snapshots and shrinks each cell toward its stage and close bucket, that toward
// its stage, that toward all.
func (tr *pipelineTrainer) model(grain salesrecipe.Grain) *Pipeline {
	p := &Pipeline{Grain: grain, Prior: 10, Stages: make([]string, len(tr.stage)), RepFactor: map[string]float64{}}
	for name, i := range tr.stage {
		p.Stages[i] = name
	}
	cells := make([][][]tally, len(tr.stage))
	for s := range cells {
		cells[s] = make([][]tally, cdBuckets)
		for c := range cells[s] {
			cells[s][c] = make([]tally, len(leftEdges)+1)
		}
	}
	var all tally
	for _, sn := range tr.snaps {
		c := &cells[sn.stage][sn.cd][sn.left]
		c.n += tr.weight
		all.n += tr.weight
		if sn.won {
			c.won += tr.weight
			all.won += tr.weight
		}
	}
	p.Snapshots = all.n
	p.Global = shrinkRate(all, 0, 0)
	p.Rates = make([][][]float64, len(cells))
	for s, row := range cells {
		p.Rates[s] = stageRates(row, p.Global, p.Prior)
	}
	return p
}

// stageRates shrinks one stage's cells.
func stageRates(row [][]tally, global, k float64) [][]float64 {
	var stage tally
	for _, cells := range row {
		for _, c := range cells {
			stage.n, stage.won = stage.n+c.n, stage.won+c.won
		}
	}
	ps := shrinkRate(stage, global, k)
	out := make([][]float64, cdBuckets)
	for cb, cells := range row {
		var sc tally
		for _, c := range cells {
			sc.n, sc.won = sc.n+c.n, sc.won+c.won
		}
		prior := ps
		if cb == cdStale {
			prior = 0 // deals long past their close date win only as often as the data shows
		}
		pc := shrinkRate(sc, prior, k)
		out[cb] = make([]float64, len(cells))
		for lb, c := range cells {
			out[cb][lb] = shrinkRate(c, pc, k)
		}
	}
	return out
}

// shrinkRate returns (won + k prior) / (n + k), the prior when both are 0.
func shrinkRate(t tally, prior, k float64) float64 {
	if t.n+k == 0 {
		return prior
	}
	return (t.won + k*prior) / (t.n + k)
}

// repFactors sets each rep's won / expected ratio over the snapshots of each day's own period,
// shrunk toward 1.
func (tr *pipelineTrainer) repFactors(p *Pipeline) {
	t := make([]tally, len(tr.rep))
	for _, sn := range tr.snaps {
		if !sn.own {
			continue
		}
		t[sn.rep].n += tr.weight * p.Rates[sn.stage][sn.cd][sn.left]
		if sn.won {
			t[sn.rep].won += tr.weight
		}
	}
	const k = 3 // expected wins of pseudo-evidence at factor 1
	for rep, i := range tr.rep {
		p.RepFactor[rep] = (t[i].won + k) / (t[i].n + k)
	}
}

// calendar lists the days (at noon) and periods a stage-model fit walks through, in Unix seconds.
type calendar struct {
	days     []calendarDay
	periods  []calendarPeriod
	complete int // periods [0, complete) ended by the as-of moment
}

// calendarDay is one day of the calendar.
type calendarDay struct {
	start, noon int64
	period      int // index of the day's period
}

// calendarPeriod is one period of the calendar with what the buckets need.
type calendarPeriod struct {
	end, nextEnd int64
	days         float64
}

// newCalendar covers the days from the period before from up to asOf.
func newCalendar(grain salesrecipe.Grain, from, asOf time.Time) *calendar {
	first := salesrecipe.NewPeriod(grain, from).Prev()
	c := &calendar{}
	for p := first; p.Start.Before(asOf); p = p.Next() {
		c.periods = append(c.periods, calendarPeriod{end: p.End().Unix(), nextEnd: p.Next().End().Unix(), days: float64(p.Days())})
		if !p.End().After(asOf) {
			c.complete = len(c.periods)
		}
	}
	for day := first.Start; day.Before(asOf); day = day.AddDate(0, 0, 1) {
		u := day.Unix()
		c.days = append(c.days, calendarDay{start: u, noon: u + 12*3600, period: periodOf(c.periods, u)})
	}
	return c
}

// periodOf returns the index of the period holding u.
func periodOf(periods []calendarPeriod, u int64) int {
	return sort.Search(len(periods), func(i int) bool { return periods[i].end > u })
}

// firstDay returns the index of the first day whose noon is at or after t.
func (c *calendar) firstDay(t time.Time) int {
	u := t.Unix()
	return sort.Search(len(c.days), func(i int) bool { return c.days[i].noon >= u })
}

// closeBucket places an expected close date (Unix seconds) relative to the day and the period.
func (p calendarPeriod) closeBucket(cd, dayStart int64) int {
	switch {
	case cd < dayStart-int64(p.days)*86400:
		return cdStale
	case cd < dayStart:
		return cdOverdue
	case cd < p.end:
		return cdIn
	case cd < p.nextEnd:
		return cdNext
	}
	return cdLater
}

// leftBucket returns the bucket of the time left from u to the period's end, in period lengths.
func (p calendarPeriod) leftBucket(u int64) int {
	return edgeBucket(float64(p.end-u)/86400/p.days, leftEdges)
}

// closeBucket places an expected close date relative to the moment and the target period.
func closeBucket(cd, m time.Time, target salesrecipe.Period) int {
	day := m.Truncate(24 * time.Hour)
	switch {
	case cd.Before(day.AddDate(0, 0, -target.Days())):
		return cdStale
	case cd.Before(day):
		return cdOverdue
	case cd.Before(target.End()):
		return cdIn
	case cd.Before(target.Next().End()):
		return cdNext
	}
	return cdLater
}

// edgeBucket returns the index of the first edge >= v, len(edges) past the last.
func edgeBucket(v float64, edges []float64) int {
	for i, e := range edges {
		if v <= e {
			return i
		}
	}
	return len(edges)
}

// leftBucket returns the bucket of the time left from m to the period's end, in period lengths.
func leftBucket(m time.Time, target salesrecipe.Period) int {
	return edgeBucket(target.End().Sub(m).Hours()/24/float64(target.Days()), leftEdges)
}

// rate returns the chance an open deal in stage with expected close cd is won inside target, seen at m.
func (p *Pipeline) rate(stage string, cd, m time.Time, target salesrecipe.Period) float64 {
	if !m.Before(target.End()) {
		return 0
	}
	for i, s := range p.Stages {
		if s == stage {
			return p.Rates[i][closeBucket(cd, m, target)][leftBucket(m, target)]
		}
	}
	return p.Global
}

// factor returns the rep's win factor, 1 for a rep the model has not seen.
func (p *Pipeline) factor(rep string) float64 {
	if f, ok := p.RepFactor[rep]; ok && !math.IsNaN(f) {
		return f
	}
	return 1
}
