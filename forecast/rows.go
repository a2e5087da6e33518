package forecast

import (
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

// repRow builds one rep's row from their features; what it takes is worked out only when takes is set
// (the period is the model's own grain).
func repRow(m *Model, r repIdentity, f *repFeatures, pr prediction, quota float64, hasQuota bool, mix mixContext, takes bool) RepRow {
	row := RepRow{RepID: r.id, Name: r.name, Team: r.team, Parts: parts(f)}
	row.Money = Money{ClosedWon: f.Closed, PipelineOpen: f.Open, PipelineWeighted: f.PIn * m.Combiner.at(f.Tau).pipeline,
		FromPipeline: pr.split.pipeline, FromNewBusiness: pr.split.fresh, Forecast: pr.forecast, Low: pr.low, High: pr.high}
	if hasQuota {
		row.Quota = &quota
	} else {
		row.Notes = append(row.Notes, "no quota: attainment, coverage and gap not defined")
	}
	row.Money.ratios()
	if !f.Seen {
		row.Notes = append(row.Notes, "no history: firm averages")
	}
	if takes && row.Gap != nil && *row.Gap > 0 {
		row.WhatItTakes = whatItTakes(m, r.id, f, *row.Gap, mix)
		if outOfReach(row.WhatItTakes) {
			row.Notes = append(row.Notes, "out of reach this period")
		}
	}
	if row.WhatItTakes == nil {
		row.WhatItTakes = []Need{}
	}
	row.Money.round()
	row.Money.balance()
	return row
}

// repIdentity is what a row says about who the rep is.
type repIdentity struct{ id, name, team string }

// parts copies the components of one rep's forecast.
func parts(f *repFeatures) Components {
	exp := make(map[string]float64, len(f.Rest)) // not maps.Clone: an empty map, never nil, for a rep without any
	maps.Copy(exp, f.Rest)
	return Components{RecipeFromDone: f.RPrior + f.RDone, RecipeFromExpected: f.RRest, RecipeBaseline: f.RBase,
		RecipeTotal: f.Closed + f.recipeRemaining(), PipelinePulledIn: f.PPull, StageWeighted: f.Closed + f.PFile,
		ExpectedActivities: exp}
}

// add sums another row's components into c.
func (c *Components) add(o Components) {
	c.RecipeFromDone += o.RecipeFromDone
	c.RecipeFromExpected += o.RecipeFromExpected
	c.RecipeBaseline += o.RecipeBaseline
	c.RecipeTotal += o.RecipeTotal
	c.PipelinePulledIn += o.PipelinePulledIn
	c.StageWeighted += o.StageWeighted
	if c.ExpectedActivities == nil {
		c.ExpectedActivities = map[string]float64{}
	}
	for k, v := range o.ExpectedActivities {
		c.ExpectedActivities[k] += v
	}
}

// ratios fills attainment, coverage, required coverage and gap from the money fields.
func (m *Money) ratios() {
	m.RequiredCoverage = Ratio(m.PipelineOpen, m.PipelineWeighted)
	if m.Quota == nil {
		return
	}
	q := *m.Quota
	m.Attainment = Ratio(m.Forecast, q)
	m.Coverage = Ratio(m.PipelineOpen, q-m.ClosedWon)
	gap := q - m.Forecast
	m.Gap = &gap
}

// Derive fills the ratios from the money fields, then rounds money to cents
// and ratios to four decimals: what a sum of rows needs to be a row.
func (m *Money) Derive() {
	m.ratios()
	m.round()
}

// round rounds money to cents and ratios to four decimals.
func (m *Money) round() {
	for _, v := range []*float64{&m.ClosedWon, &m.PipelineOpen, &m.PipelineWeighted, &m.FromPipeline, &m.FromNewBusiness, &m.Forecast, &m.Low, &m.High} {
		*v = math.Round(*v*100) / 100
	}
	for _, v := range []*float64{m.Quota, m.Gap} {
		if v != nil {
			*v = math.Round(*v*100) / 100
		}
	}
	for _, v := range []*float64{m.Attainment, m.Coverage, m.RequiredCoverage} {
		if v != nil {
			*v = math.Round(*v*10000) / 10000
		}
	}
}

// sum is a running total of rep rows and their draws.
type sum struct {
	money    Money
	quota    float64
	hasQuota bool
	draws    []float64
	sources  drawSet
	reps     int
	parts    Components
}

// add adds one rep row and its draws.
func (s *sum) add(r RepRow, draws []float64, sources drawSet) {
	m := &s.money
	m.ClosedWon += r.ClosedWon
	m.FromPipeline += r.FromPipeline
	m.FromNewBusiness += r.FromNewBusiness
	m.PipelineOpen += r.PipelineOpen
	m.PipelineWeighted += r.PipelineWeighted
	m.Forecast += r.Forecast
	if r.Quota != nil {
		s.quota += *r.Quota
		s.hasQuota = true
	}
	if s.draws == nil {
		s.draws = make([]float64, len(draws))
	}
	for i, v := range draws {
		s.draws[i] += v
	}
	s.sources.add(sources)
	s.reps++
	s.parts.add(r.Parts)
}

// result returns the summed money with ratios as sum over sum, and the point and interval of the
// summed draws: the reps' points are each their own outcome's middle, and most reps' outcomes are
// skewed up (a deal more is likelier than a deal less), so their sum lies below the middle of the
// total, at or under its interval's low end on a firm of a few dozen reps.
func (s *sum) result(prm params) Money {
	m := s.money
	m.Forecast, m.Low, m.High = total(prm, m.ClosedWon, m.Forecast, s.draws)
	b := splitPoint(s.draws, s.sources, m.ClosedWon, m.Forecast, prm.point)
	m.FromPipeline, m.FromNewBusiness = b.pipeline, b.fresh
	if s.hasQuota {
		q := s.quota
		m.Quota = &q
	}
	m.Derive()
	m.balance()
	return m
}

// total returns the point and interval of a sum of reps (a team or the firm) from their summed
// draws under the combination's parameters prm: the point is the middle of the draws, never under
// what is already closed, and the interval the team levels of the draws, widened to hold the point; without draws the point is
// the reps' points summed. The live forecast's team and firm rows and the backtest's team scores
// both come from here.
func total(prm params, closed, summed float64, draws []float64) (point, low, high float64) {
	point = summed
	if len(draws) > 0 {
		point = math.Max(pointOf(sorted(draws), prm.point), closed)
	}
	low, high = teamInterval(prm, draws)
	return point, math.Min(low, point), math.Max(high, point)
}

// rollup sums reps into teams (by name) and the firm under the combination's parameters prm; draws[i]
// are rep i's draws, sources[i] the same draws split by source.
func rollup(prm params, reps []RepRow, draws [][]float64, sources []drawSet) ([]TeamRow, Total) {
	teams := map[string]*sum{}
	var firm sum
	for i, r := range reps {
		t := teams[r.Team]
		if t == nil {
			t = &sum{}
			teams[r.Team] = t
		}
		t.add(r, draws[i], sources[i])
		firm.add(r, draws[i], sources[i])
	}
	out := make([]TeamRow, 0, len(teams))
	for _, name := range slices.Sorted(maps.Keys(teams)) {
		t := teams[name]
		out = append(out, TeamRow{Team: name, Money: t.result(prm), Reps: t.reps, Parts: t.parts})
	}
	return out, Total{Money: firm.result(prm), Reps: firm.reps, Parts: firm.parts}
}

// firmMix returns the firm's expected activity still to come, by kind, and its in-period conversion.
func firmMix(feats map[string]*repFeatures) mixContext {
	mc := mixContext{firm: map[string]float64{}}
	open, weighted := 0.0, 0.0
	for _, rep := range slices.Sorted(maps.Keys(feats)) { // a fixed order, so the sums do not vary between runs
		f := feats[rep]
		for k, v := range f.Rest {
			mc.firm[k] += v
		}
		open, weighted = open+f.Open, weighted+f.PIn
	}
	if open > 0 {
		mc.conversion = weighted / open
	}
	return mc
}

// Snapshots returns the forecast as snapshot rows: reps, teams and the firm total.
func (fc *Forecast) Snapshots(created time.Time) []queries.Snapshot {
	base := queries.Snapshot{Period: fc.period(), PeriodStart: fc.PeriodStart, PeriodEnd: fc.PeriodEnd, AsOf: fc.AsOf, CreatedAt: created}
	row := func(level, key, name, team string, m Money) queries.Snapshot {
		s := base
		s.Level, s.Key, s.Name, s.Team = level, key, name, team
		if m.Quota != nil {
			s.Quota = *m.Quota
		}
		s.ClosedWon, s.PipelineOpen, s.PipelineWeighted, s.Forecast, s.Low, s.High = m.ClosedWon, m.PipelineOpen, m.PipelineWeighted, m.Forecast, m.Low, m.High
		s.FromPipeline, s.FromNewBusiness = m.FromPipeline, m.FromNewBusiness
		return s
	}
	out := make([]queries.Snapshot, 0, len(fc.Reps)+len(fc.Teams)+1)
	for _, r := range fc.Reps {
		out = append(out, row("rep", r.RepID, r.Name, r.Team, r.Money))
	}
	for _, t := range fc.Teams {
		out = append(out, row("team", t.Team, t.Team, t.Team, t.Money))
	}
	return append(out, row("firm", fc.Firm, fc.Firm, "", fc.FirmTotal.Money))
}

// period names the forecast's period, such as 2026-03 or 2026-Q1.
func (fc *Forecast) period() string {
	return fc.Period.String()
}

// sortedNeeds orders needs by kind, pipeline last.
func sortedNeeds(n []Need) {
	sort.SliceStable(n, func(i, j int) bool {
		if (n[i].Kind == KindPipeline) != (n[j].Kind == KindPipeline) {
			return n[j].Kind == KindPipeline
		}
		return n[i].Kind < n[j].Kind
	})
}
