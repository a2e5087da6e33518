package forecast

import (
	"math"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Close-date buckets of an open deal relative to the target period and the moment.
const (
	cdOverdue = iota // expected close already passed
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

// pipelineTrainer accumulates snapshots for one fit.
type pipelineTrainer struct {
	grain  salesrecipe.Grain
	stage  map[string]int
	cells  [][][]tally
	byRep  map[string]*tally // won and expected (filled in a second pass)
	asOf   time.Time
	weight float64
}

// fitPipeline learns the stage model from deal histories known at asOf (book), over complete periods.
func fitPipeline(b *book, grain salesrecipe.Grain, stages []salesrecipe.Stage, from time.Time) *Pipeline {
	tr := &pipelineTrainer{grain: grain, stage: map[string]int{}, byRep: map[string]*tally{}, asOf: b.asOf, weight: 1.0 / 7}
	for _, s := range stages {
		tr.index(s.Name)
	}
	for _, h := range b.deals {
		tr.deal(h, from)
	}
	p := tr.model()
	p.TrainedFrom = from
	tr.repFactors(b, from, p)
	return p
}

// index returns a stage's table index, adding it when new.
func (tr *pipelineTrainer) index(stage string) int {
	if i, ok := tr.stage[stage]; ok {
		return i
	}
	tr.stage[stage] = len(tr.cells)
	row := make([][]tally, cdBuckets)
	for c := range row {
		row[c] = make([]tally, len(leftEdges)+1)
	}
	tr.cells = append(tr.cells, row)
	return len(tr.cells) - 1
}

// deal adds one snapshot per day (at noon) the deal was open, for the period holding the day and the next.
func (tr *pipelineTrainer) deal(h []salesrecipe.Deal, from time.Time) {
	final := h[len(h)-1]
	start := h[0].UpdatedAt
	if !final.CreatedAt.IsZero() && final.CreatedAt.Before(start) {
		start = final.CreatedAt
	}
	day := time.Date(start.Year(), start.Month(), start.Day(), 12, 0, 0, 0, time.UTC)
	if day.Before(start) {
		day = day.AddDate(0, 0, 1)
	}
	for ; day.Before(tr.asOf); day = day.AddDate(0, 0, 1) {
		d, ok := stateAt(h, day)
		if !ok {
			continue
		}
		if d.Status != salesrecipe.StatusOpen {
			return
		}
		p := salesrecipe.NewPeriod(tr.grain, day)
		for _, target := range []salesrecipe.Period{p, p.Next()} {
			if target.Start.Before(from) || target.End().After(tr.asOf) {
				continue
			}
			tr.add(d, final, day, target)
		}
	}
}

// add records one snapshot of open deal state d at moment m for a target period.
func (tr *pipelineTrainer) add(d, final salesrecipe.Deal, m time.Time, target salesrecipe.Period) {
	won := final.Status == salesrecipe.StatusWon && !final.ClosedAt.Before(m) && final.ClosedAt.Before(target.End())
	c := &tr.cells[tr.index(d.Stage)][closeBucket(d.CloseDate, m, target)][leftBucket(m, target)]
	c.n += tr.weight
	if won {
		c.won += tr.weight
	}
}

// closeBucket places an expected close date relative to the moment and the target period.
func closeBucket(cd, m time.Time, target salesrecipe.Period) int {
	switch {
	case cd.Before(m.Truncate(24 * time.Hour)):
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

// model shrinks each cell toward its stage and close bucket, that toward its stage, that toward all.
func (tr *pipelineTrainer) model() *Pipeline {
	p := &Pipeline{Grain: tr.grain, Prior: 10, Stages: make([]string, len(tr.cells)), RepFactor: map[string]float64{}}
	for name, i := range tr.stage {
		p.Stages[i] = name
	}
	var all tally
	for _, row := range tr.cells {
		for _, cells := range row {
			for _, c := range cells {
				all.n, all.won = all.n+c.n, all.won+c.won
			}
		}
	}
	p.Snapshots = all.n
	p.Global = shrinkRate(all, 0, 0)
	p.Rates = make([][][]float64, len(tr.cells))
	for s, row := range tr.cells {
		p.Rates[s] = tr.stageRates(row, p.Global, p.Prior)
	}
	return p
}

// stageRates shrinks one stage's cells.
func (tr *pipelineTrainer) stageRates(row [][]tally, global, k float64) [][]float64 {
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
		pc := shrinkRate(sc, ps, k)
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

// repFactors sets each rep's won / expected ratio over the same snapshots, shrunk toward 1.
func (tr *pipelineTrainer) repFactors(b *book, from time.Time, p *Pipeline) {
	for _, h := range b.deals {
		tr.repDeal(h, from, p)
	}
	const k = 3 // expected wins of pseudo-evidence at factor 1
	for rep, t := range tr.byRep {
		p.RepFactor[rep] = (t.won + k) / (t.n + k)
	}
}

// repDeal adds one deal's snapshots to its rep's won and expected tallies.
func (tr *pipelineTrainer) repDeal(h []salesrecipe.Deal, from time.Time, p *Pipeline) {
	final := h[len(h)-1]
	t := tr.byRep[final.RepID]
	if t == nil {
		t = &tally{}
		tr.byRep[final.RepID] = t
	}
	start := time.Date(h[0].UpdatedAt.Year(), h[0].UpdatedAt.Month(), h[0].UpdatedAt.Day(), 12, 0, 0, 0, time.UTC)
	for day := start; day.Before(tr.asOf); day = day.AddDate(0, 0, 1) {
		d, ok := stateAt(h, day)
		if !ok {
			continue
		}
		if d.Status != salesrecipe.StatusOpen {
			return
		}
		target := salesrecipe.NewPeriod(tr.grain, day)
		if target.Start.Before(from) || target.End().After(tr.asOf) {
			continue
		}
		t.n += tr.weight * p.rate(d.Stage, d.CloseDate, day, target)
		if final.Status == salesrecipe.StatusWon && !final.ClosedAt.Before(day) && final.ClosedAt.Before(target.End()) {
			t.won += tr.weight
		}
	}
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
