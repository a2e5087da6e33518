package forecast

import (
	"math"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// Pipeline is the learned stage model: the chance that an open deal is won inside the target period
// (a logistic classifier of the deal's stage, close date, age, time in stage, pushes and amount, and
// the time left), plus each rep's shrunk win factor. It is estimated from snapshots of open deals,
// taken through complete past periods, with their outcome by each period's end.
type Pipeline struct {
	Grain       salesrecipe.Grain  `json:"grain"`
	Win         *WinModel          `json:"win"`          // chance of a win before the target period ends
	Global      float64            `json:"global"`       // share of open deal-weeks won inside their period
	RepFactor   map[string]float64 `json:"rep_factor"`   // won / expected per rep, shrunk toward 1
	Snapshots   float64            `json:"snapshots"`    // deal-weeks observed
	TrainedFrom time.Time          `json:"trained_from"` // first target period start
}

// snapshotStep is how many days apart one deal's training snapshots are at least; deals are staggered
// so that every day is seen. Firms with many open deals get a longer step, so that a fit learns from
// about maxSnapshots snapshots whatever the firm's size.
const (
	snapshotStep = 5
	maxSnapshots = 150_000
)

// snapshotStepFor returns the snapshot step that keeps the training snapshots near maxSnapshots: the
// deals' open days inside the calendar, twice (each day targets its period and the next), over the
// cap; and about how many snapshots that step takes, so the trainer can hold them without regrowing.
func snapshotStepFor(b *book, cal *calendar) (step, snapshots int) {
	if len(cal.days) == 0 {
		return snapshotStep, 0
	}
	first, last := cal.days[0].start, cal.days[len(cal.days)-1].start+86400
	var days float64
	for _, h := range b.deals {
		open := unixSec(h[0].Updated)
		if c := unixSec(h[0].Created); c < open {
			open = c
		}
		end := last
		if f := h[len(h)-1]; f.Status != salesrecipe.VersionOpen {
			end = min(end, unixSec(f.Updated))
		}
		if lo, hi := max(open, first), min(end, last); hi > lo {
			days += float64(hi-lo) / 86400
		}
	}
	step = max(snapshotStep, int(math.Ceil(2*days/maxSnapshots)))
	return step, int(2*days/float64(step)) + 1
}

// pipelineTrainer accumulates snapshots for one fit.
type pipelineTrainer struct {
	cal    *calendar
	stage  map[string]int
	stages []string
	byBook []int // index of each of the book's stages, -1 until first seen
	rep    map[string]int
	grain  salesrecipe.Grain
	step   int // days between one deal's snapshots
	rows   []winRow
	reps   []int32 // rep of each row
	own    []bool  // the row's target is its day's own period
	weight float32
	w      *WinModel // inputs only: AmountRef
}

// fitPipeline learns the stage model from deal histories known at asOf (book), over complete periods
// starting at from or later; the classifier's fit starts from start's coefficients when it has the
// same stages (a model fitted on nearly the same data converges in fewer steps); the classifier's
// sums are spread over workers.
func fitPipeline(b *book, grain salesrecipe.Grain, stages []salesrecipe.Stage, from time.Time, start *WinModel, workers int) *Pipeline {
	cal := newCalendar(grain, from, b.asOf)
	step, n := snapshotStepFor(b, cal)
	tr := &pipelineTrainer{cal: cal, grain: grain, step: step, stage: map[string]int{}, rep: map[string]int{},
		weight: float32(step) / 7, w: &WinModel{AmountRef: medianAmount(b)},
		rows: make([]winRow, 0, n), reps: make([]int32, 0, n), own: make([]bool, 0, n)}
	for _, s := range stages {
		tr.index(s.Name)
	}
	for i, h := range b.deals {
		tr.deal(b, h, i%step)
	}
	p := &Pipeline{Grain: grain, TrainedFrom: from, RepFactor: map[string]float64{}}
	p.Win = fitWinModelOn(tr.stages, tr.rows, tr.w.AmountRef, start, workers)
	var all tally
	for _, r := range tr.rows {
		all.n += float64(r.weight)
		if r.won {
			all.won += float64(r.weight)
		}
	}
	p.Snapshots, p.Global = all.n, shrinkRate(all, 0, 0)
	tr.repFactors(p)
	return p
}

// medianAmount returns the median latest amount of the book's deals, 1 without deals.
func medianAmount(b *book) float64 {
	v := make([]float64, 0, len(b.deals))
	for _, h := range b.deals {
		if a := h[len(h)-1].Amount; a > 0 {
			v = append(v, a)
		}
	}
	if len(v) == 0 {
		return 1
	}
	return model.QuantileSorted(sorted(v), 0.5)
}

// tally counts weighted snapshots and wins.
type tally struct{ n, won float64 }

// shrinkRate returns (won + k prior) / (n + k), the prior when both are 0.
func shrinkRate(t tally, prior, k float64) float64 {
	if t.n+k == 0 {
		return prior
	}
	return (t.won + k*prior) / (t.n + k)
}

// index returns a stage's index, adding it when new.
func (tr *pipelineTrainer) index(stage string) int {
	i, ok := tr.stage[stage]
	if !ok {
		i = len(tr.stage)
		tr.stage[stage] = i
		tr.stages = append(tr.stages, stage)
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

// stageOf returns the index of a book's stage, adding it when new.
func (tr *pipelineTrainer) stageOf(b *book, s int16) int {
	for len(tr.byBook) < len(b.stages) {
		tr.byBook = append(tr.byBook, -1)
	}
	if tr.byBook[s] < 0 {
		tr.byBook[s] = tr.index(b.stages[s])
	}
	return tr.byBook[s]
}

// deal records a snapshot every tr.step days (at noon, starting at offset) while the deal was
// open, for the period holding the day and the next, when those periods ended by the as-of moment.
func (tr *pipelineTrainer) deal(b *book, h []version, offset int) {
	final := h[len(h)-1]
	start := h[0].Updated
	if final.Created < start {
		start = final.Created
	}
	won := final.Status == salesrecipe.VersionWon
	closed := unixSec(final.Closed)
	rep := int32(tr.repIndex(b.reps[final.Rep]))
	walk := dealWalk{h: h}
	for d := tr.cal.firstDay(salesrecipe.TimeOf(start)); d < len(tr.cal.days); d++ {
		day := tr.cal.days[d]
		state, ok := walk.at(day.noon)
		if !ok {
			continue
		}
		if state.Status != salesrecipe.VersionOpen {
			return
		}
		if (d+offset)%tr.step != 0 {
			continue
		}
		noon := time.Unix(day.noon, 0)
		da := dealAtOf(walk.state(b, amountWindow(tr.grain, noon), noon), tr.stageOf(b, state.Stage), noon)
		for off, own := range []bool{true, false} {
			t := day.period + off
			if t < 1 || t >= tr.cal.complete { // period 0 precedes from: its days only target the next
				continue
			}
			pi := tr.cal.periods[t]
			row := winRow{stage: int32(da.stage), won: won && closed >= day.noon && closed < pi.end, weight: tr.weight}
			var x [winInputs]float64
			tr.w.inputs(x[:], da, day.noon, pi.end, pi.days*86400)
			for i, v := range x {
				row.x[i] = float32(v)
			}
			tr.rows, tr.reps, tr.own = append(tr.rows, row), append(tr.reps, rep), append(tr.own, own)
		}
	}
}

// dealWalk steps through one deal's versions in time, tracking when its stage last changed and how
// often its close date was pushed: the one rule for both, used to train the stage model and to read
// the open deals of a moment, in fits, backtests and forecasts alike.
type dealWalk struct {
	h          []version
	v          int   // versions applied
	stageSince int64 // when the stage last changed, Unix milliseconds; salesrecipe.Unknown while it never did
	pushes     int
}

// apply applies the next version.
func (w *dealWalk) apply() {
	cur := w.h[w.v]
	if w.v == 0 {
		w.stageSince = salesrecipe.Unknown
	} else {
		prev := w.h[w.v-1]
		if cur.Stage != prev.Stage {
			w.stageSince = cur.Updated
		}
		if prev.CloseDate != salesrecipe.Unknown && cur.CloseDate > prev.CloseDate {
			w.pushes++
		}
	}
	w.v++
}

// at applies the versions up to u (Unix seconds, as time.Time.Unix rounds) and returns the state
// then; ok is false before the first.
func (w *dealWalk) at(u int64) (version, bool) {
	for w.v < len(w.h) && unixSec(w.h[w.v].Updated) <= u {
		w.apply()
	}
	if w.v == 0 {
		return version{}, false
	}
	return w.h[w.v-1], true
}

// state returns the walked deal's current version as an open deal seen at m: created at its
// created_at, or at its first version's time when that is earlier; in its stage since the stage
// last changed, or since it was created. An inferred version's amount is unknown (a CRM's one-row
// export keeps only the final amount, which for a lost deal is often 0, so the store keeps 0): it is
// estimated as the mean amount of the rep's deals won in [from, m), shrunk toward the firm's
// (E[revenue] = P(win) x E[amount | win]), from wins known at m only. So is the amount of an open
// deal stored as 0: CRM exports leave the value of open opportunities empty until they close.
func (w *dealWalk) state(b *book, from, m time.Time) openDeal {
	d := w.h[w.v-1]
	created := min(d.Created, w.h[0].Updated)
	since := w.stageSince
	if since == salesrecipe.Unknown {
		since = created
	}
	out := openDeal{RepID: b.reps[d.Rep], Stage: b.stages[d.Stage], Amount: d.Amount, CloseDate: salesrecipe.TimeOf(d.CloseDate),
		Created: salesrecipe.TimeOf(created), StageSince: salesrecipe.TimeOf(since), Pushes: w.pushes}
	if d.Inferred || d.Amount == 0 {
		out.Amount, out.Estimated = b.wonMeans(from, m).estimate(d.Rep), true
	}
	return out
}

// dealAtOf returns an open deal's classifier inputs seen at m; a deal of unknown creation counts as
// created at m, one of unknown stage change as in its stage since its creation, and one without an
// expected close date as expected in no particular period (see WinModel.inputs).
func dealAtOf(d openDeal, stage int, m time.Time) dealAt {
	da := dealAt{stage: stage, amount: d.Amount, closeDate: d.CloseDate.Unix(), created: d.Created.Unix(), stageSince: d.StageSince.Unix(), pushes: d.Pushes}
	if d.Created.IsZero() {
		da.created = m.Unix()
	}
	if d.CloseDate.IsZero() {
		da.closeDate, da.noClose = 0, true
	}
	if d.StageSince.IsZero() {
		da.stageSince = da.created
	}
	return da
}

// repFactors sets each rep's won / expected ratio over the snapshots of each day's own period,
// shrunk toward 1.
func (tr *pipelineTrainer) repFactors(p *Pipeline) {
	t := make([]tally, len(tr.rep))
	row := make([]float64, stageBlocks*len(tr.stages)+winInputs)
	for i, r := range tr.rows {
		if !tr.own[i] {
			continue
		}
		rowOf(row, r, len(tr.stages))
		t[tr.reps[i]].n += float64(r.weight) * sigmoid(dot(p.Win.Coef, row))
		if r.won {
			t[tr.reps[i]].won += float64(r.weight)
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

// calendarPeriod is one period of the calendar.
type calendarPeriod struct {
	end  int64
	days float64
}

// newCalendar covers the days from the period before from up to asOf.
func newCalendar(grain salesrecipe.Grain, from, asOf time.Time) *calendar {
	first := salesrecipe.NewPeriod(grain, from).Prev()
	c := &calendar{}
	for p := first; p.Start.Before(asOf); p = p.Next() {
		c.periods = append(c.periods, calendarPeriod{end: p.End().Unix(), days: float64(p.Days())})
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

// rate returns the chance an open deal is won inside target, seen at m.
func (p *Pipeline) rate(d openDeal, m time.Time, target salesrecipe.Period) float64 {
	if !m.Before(target.End()) {
		return 0
	}
	stage := -1
	for i, s := range p.Win.Stages {
		if s == d.Stage {
			stage = i
			break
		}
	}
	return p.Win.prob(dealAtOf(d, stage, m), m.Unix(), target.End().Unix(), target.End().Sub(target.Start).Seconds())
}

// factor returns the rep's win factor, 1 for a rep the model has not seen.
func (p *Pipeline) factor(rep string) float64 {
	if f, ok := p.RepFactor[rep]; ok && !math.IsNaN(f) {
		return f
	}
	return 1
}
