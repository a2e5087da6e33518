package forecast

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// A quarter is forecast from the monthly model, as the sum of its three months drawn together:
// months already over count what they won; the month holding the moment counts its forecast draws
// (closed so far, open deals, new business); months still to come count the new business the
// monthly model expects of them as seen now, raised by the deals to be created before they start
// (Model.Carry). The deals open now are drawn once for the whole quarter, each with the stage model's
// chance of a win before the quarter's last month ends (the chance of a win before a later period's
// end is what the model answers for a target ahead), so a deal never counts in two months of one
// draw. Each draw is the sum of its months, so the quarter's point and interval come from the summed
// draws, at quantile levels learned by backtesting past quarters (QuarterLevels).

// ModelGrain returns the grain of the model that forecasts periods of grain g, the grain fits are
// stored under: months for quarters, g otherwise.
func ModelGrain(g salesrecipe.Grain) salesrecipe.Grain {
	if g == salesrecipe.GrainQuarter {
		return salesrecipe.GrainMonth
	}
	return g
}

// levelTau returns the elapsed share the combination's levels of a period's forecast are read at: the
// share of the period for a month or a week, the share of the month holding the moment for a quarter
// (0 before the quarter, 1 after it).
func levelTau(p salesrecipe.Period, at time.Time) float64 {
	if p.Grain != salesrecipe.GrainQuarter || !at.After(p.Start) || !at.Before(p.End()) {
		return elapsed(p, at)
	}
	return elapsed(salesrecipe.NewPeriod(salesrecipe.GrainMonth, at), at)
}

// periodSet is every rep's features of one period at one moment, and for a quarter each month's.
type periodSet struct {
	period salesrecipe.Period
	at     time.Time
	feats  map[string]*repFeatures   // the period's features (for a quarter, its months' combined)
	months []map[string]*repFeatures // a quarter's months' features, oldest first; nil for other grains
	open   []openDeal                // the deals open at the moment (for a quarter, as its last month reads them)
}

// readPeriod reads and computes the features of period p at moment at under model m: p's own for a
// month or a week, a quarter's from its months.
func readPeriod(ctx context.Context, rd reader, m *Model, p salesrecipe.Period, at time.Time, extra []string) (*periodSet, error) {
	fsOf := func(in *inputs) featureSet {
		return featureSet{in: in, rc: m.Recipe, pm: m.Pipeline, file: m.fileProbabilities(), fallback: m.WinRate}
	}
	if p.Grain != salesrecipe.GrainQuarter {
		in, err := readInputs(ctx, rd, p, at, m.lags())
		if err != nil {
			return nil, err
		}
		fs := fsOf(in)
		return &periodSet{period: p, at: at, feats: fs.compute(extra), open: in.open}, nil
	}
	out := &periodSet{period: p, at: at, feats: map[string]*repFeatures{}}
	for mo := salesrecipe.NewPeriod(salesrecipe.GrainMonth, p.Start); mo.Start.Before(p.End()); mo = mo.Next() {
		in, err := readInputs(ctx, rd, mo, at, m.lags())
		if err != nil {
			return nil, err
		}
		fs := fsOf(in)
		out.months = append(out.months, fs.compute(extra))
		out.open = in.open
	}
	_, last, _, err := rd.deals(ctx, p, at)
	if err != nil {
		return nil, err
	}
	tau := elapsed(p, at)
	for k, feats := range out.months {
		for rep, f := range feats {
			q := out.feats[rep]
			if q == nil {
				q = &repFeatures{Tau: tau, Done: map[string]float64{}, Rest: map[string]float64{}, Last: last[rep]}
				out.feats[rep] = q
			}
			q.combine(f, k == len(out.months)-1)
		}
	}
	return out, nil
}

// combine adds one month's features into a quarter's; the last month's open deals, with their chance
// of a win before the quarter ends, are the quarter's (all of them in PIn: a quarter has no pulled-in
// deals apart from its own).
func (q *repFeatures) combine(f *repFeatures, last bool) {
	sums := [][2]*float64{{&q.Closed, &f.Closed}, {&q.Open, &f.Open}, {&q.PFile, &f.PFile}, {&q.RPrior, &f.RPrior},
		{&q.RDone, &f.RDone}, {&q.RRest, &f.RRest}, {&q.RBase, &f.RBase}}
	for _, v := range sums {
		*v[0] += *v[1]
	}
	for k, v := range f.Done {
		q.Done[k] += v
	}
	for k, v := range f.Rest {
		q.Rest[k] += v
	}
	q.Peak = max(q.Peak, f.Peak)
	q.Seen, q.Present = q.Seen || f.Seen, q.Present || f.Present
	if last { // every open deal weighted by its chance of a win before the quarter ends
		q.Deals, q.PIn = f.Deals, f.PIn+f.PPull
	}
}

// predict returns the forecast of the set's period of a rep of a team under model m.
func (ps *periodSet) predict(m *Model, rep, team string) prediction {
	f, c := ps.feats[rep], m.Combiner
	if ps.months == nil {
		return c.predict(rep, team, f, ps.period.Start.Unix())
	}
	p := m.levels(ps.period, ps.at)
	parts := c.quarterParts(p, rep, team, ps, m.Carry, forecastDraws)
	draws := parts.totals(f.Closed)
	s := sorted(draws)
	point := pointOf(s, p.point)
	return prediction{forecast: point, low: model.QuantileSorted(s, p.low), high: model.QuantileSorted(s, p.high),
		split: splitPoint(draws, parts, f.Closed, point, p.point), draws: draws, parts: parts}
}

// quarterParts returns n draws of a rep's quarter beyond what is closed: the open deals once, with
// their chance of a win before the quarter ends, plus each month's new business not yet over. A month
// still to come also wins deals created after the moment but before it starts (the pipeline it will
// have at its start beyond the deals open now): its new-business mean is raised by carry (see
// book.carry) for the part of each earlier month still to come. The new-business mean's lognormal
// factor is shared by the months of one draw (a rep's slow month is likely followed by another),
// the arrivals are each month's own. The shared factors (see params.shared) are one firm's and one
// team's normal number per draw, scaled for the open deals by the variances at the moment's share and
// for each month's new business by its month's: what moves a team's months moves them together.
func (c *Combiner) quarterParts(p params, rep, team string, ps *periodSet, carry []float64, n int) drawSet {
	d := drawSet{pipeline: make([]float64, n), fresh: make([]float64, n)}
	f := ps.feats[rep]
	seeds := seedsOf(rep, team, ps.period.Start.Unix(), 0)
	seed := seeds.rep
	qs := chancesOf(p, f)
	type month struct {
		mu   float64
		seed uint64
		p    params // the monthly model's at the month's share, its shared factors' variances
	}
	var months []month
	for k, feats := range ps.months {
		fm, ok := feats[rep]
		if !ok || fm.Tau >= 1 {
			continue
		}
		mo := salesrecipe.NewPeriod(salesrecipe.GrainMonth, ps.period.Start.AddDate(0, k, 0))
		pm := c.at(fm.Tau)
		mu := c.newMean(pm, fm) * (1 + carried(carry, mo, ps.at))
		months = append(months, month{mu, seedOf(rep, mo.Start.Unix(), 0) ^ 0x9e3779b97f4a7c15, pm})
	}
	for i := range n {
		firmZ, teamZ := normalOf(seeds.firm, uint64(i)), normalOf(seeds.team, uint64(i))
		d.pipeline[i] = p.sharedOf(firmZ, teamZ) * dealsDraw(qs, f.Deals, seed, uint64(i))
		factor := mixing(p.dispersion, seed, uint64(i))
		for _, mo := range months {
			d.fresh[i] += mo.p.sharedOf(firmZ, teamZ) * c.newDeals(mo.mu*factor, mo.seed, uint64(i))
		}
	}
	return d
}

// carried returns how many more new won deals than its own new business a month mo expects from
// deals created after the moment at and before mo starts: carry[j-1] per month j months before mo,
// times the share of that month still to come at at.
func carried(carry []float64, mo salesrecipe.Period, at time.Time) float64 {
	out := 0.0
	prev := mo
	for _, r := range carry {
		prev = prev.Prev()
		out += r * (1 - elapsed(prev, at))
	}
	return out
}

// carryLags is how many months before its close a won deal's creation counts as carried.
const carryLags = 2

// carry returns, for j = 1..carryLags, the won deals closed in one of the 12 periods before end that
// were created j periods before the period they closed in, over those created in it: how many deals
// created in the periods before a period it wins, per deal of its own new business. Nil when no won
// deal was created in its closing period.
func (b *book) carry(grain salesrecipe.Grain, end time.Time) []float64 {
	first := salesrecipe.NewPeriod(grain, end)
	for range 12 {
		first = first.Prev()
	}
	var n [carryLags + 1]float64
	for _, h := range b.deals {
		d := h[len(h)-1]
		if d.Status != salesrecipe.VersionWon || d.Closed >= ceilMs(end) || d.Closed < ceilMs(first.Start) {
			continue
		}
		closed := salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Closed))
		created := salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Created))
		for j, q := 0, closed; j <= carryLags; j, q = j+1, q.Prev() {
			if q.Start.Equal(created.Start) {
				n[j]++
				break
			}
		}
	}
	if n[0] == 0 {
		return nil
	}
	out := make([]float64, carryLags)
	for j := range out {
		out[j] = n[j+1] / n[0]
	}
	return out
}

// QuarterLevels are the quantile levels of a quarter's point and 80% intervals, learned by
// backtesting the last complete quarters from the monthly model (the monthly levels describe a
// month's outcomes, not a sum of months whose later ones are not open yet), at each elapsed share of
// the quarter in Grid.
type QuarterLevels struct {
	Grid     []float64 `json:"grid"`
	Point    []float64 `json:"point"`
	Low      []float64 `json:"low"`
	High     []float64 `json:"high"`
	TeamLow  []float64 `json:"team_low"`
	TeamHigh []float64 `json:"team_high"`
	Rows     []int     `json:"rows"` // training rows per grid point
}

// quarterGrid is the elapsed shares of a quarter at which its levels are learned: each month's start
// and middle.
var quarterGrid = []float64{0, 1.0 / 6, 1.0 / 3, 0.5, 2.0 / 3, 5.0 / 6}

// quarterTrainPeriods is how many complete quarters before the fit's the quarter levels are learned on.
const quarterTrainPeriods = 4

// quarterLevels learns the quarter levels of monthly model m fitted at moment at: each of the last
// complete quarters, seen at each grid share, forecast under m and scored against what was won. Nil
// unless the lab was opened for quarters (the levels cost a monthly fit about a fifth more, and a
// monthly backtest four times its time); without a grid (the monthly levels) when a grid point has
// too few reps or quarters to learn from.
func (lb *lab) quarterLevels(ctx context.Context, m *Model, at time.Time) (*QuarterLevels, error) {
	if !lb.quarters || m.Combiner == nil {
		return nil, nil
	}
	out := &QuarterLevels{Grid: quarterGrid}
	cur := salesrecipe.NewPeriod(salesrecipe.GrainQuarter, at)
	var allRows []sample // every grid point's rows, each quarter and share its own period
	var allDraws [][]float64
	for g, share := range quarterGrid {
		var rows []sample
		var draws [][]float64
		for i, q := 0, cur.Prev(); i < quarterTrainPeriods; i, q = i+1, q.Prev() {
			moment := quarterMoment(q, share)
			actual := lb.book.won(q.Start, q.End(), at)
			ps, err := readPeriod(ctx, lb.rd, m, q, moment, nil)
			if err != nil {
				return nil, err
			}
			for _, rep := range slices.Sorted(maps.Keys(ps.feats)) {
				if !ps.feats[rep].Seen && actual[rep] == 0 {
					continue
				}
				rows = append(rows, sample{period: i, team: lb.teams[rep], rep: rep, actual: actual[rep]})
				draws = append(draws, ps.predict(m, rep, lb.teams[rep]).draws)
			}
		}
		out.Rows = append(out.Rows, len(rows))
		if !enough(rows) {
			return &QuarterLevels{Rows: out.Rows}, nil // tried: no grid, the monthly levels
		}
		s := make([][]float64, len(draws))
		for i := range draws {
			s[i] = sorted(draws[i])
		}
		lo, hi := pitLevels(rows, s, m.Combiner.Level)
		tlo, thi := teamLevels(rows, draws, m.Combiner.Level)
		out.Point, out.Low, out.High = append(out.Point, bestLevel(rows, s)), append(out.Low, lo), append(out.High, hi)
		out.TeamLow, out.TeamHigh = append(out.TeamLow, tlo), append(out.TeamHigh, thi)
		for _, r := range rows {
			r.period += g * quarterTrainPeriods
			allRows = append(allRows, r)
		}
		allDraws = append(allDraws, draws...)
	}
	if teamPeriods(rowsAt(allRows, 0, quarterTrainPeriods)) < minTrainRows { // too few team-quarters at one share: pool the shares
		tlo, thi := teamLevels(allRows, allDraws, m.Combiner.Level)
		for g := range out.TeamLow {
			out.TeamLow[g], out.TeamHigh[g] = tlo, thi
		}
	}
	return out, nil
}

// rowsAt returns the rows whose period index is in [from, to).
func rowsAt(rows []sample, from, to int) []sample {
	var out []sample
	for _, r := range rows {
		if r.period >= from && r.period < to {
			out = append(out, r)
		}
	}
	return out
}

// teamPeriods returns how many team-periods the rows hold.
func teamPeriods(rows []sample) int {
	type key struct {
		period int
		team   string
	}
	seen := map[key]bool{}
	for _, r := range rows {
		seen[key{r.period, r.team}] = true
	}
	return len(seen)
}

// levels returns the combination's parameters for period p's forecast at moment at: the monthly
// model's at the share levelTau, with a quarter's point and interval levels from its own learned
// levels when there are some.
func (m *Model) levels(p salesrecipe.Period, at time.Time) params {
	prm := m.Combiner.at(levelTau(p, at))
	ql := m.Quarter
	if p.Grain != salesrecipe.GrainQuarter || ql == nil || len(ql.Grid) == 0 {
		return prm
	}
	tau := elapsed(p, at)
	i := sort.SearchFloat64s(ql.Grid, tau)
	j, a := i, 0.0
	switch {
	case i == 0:
	case i == len(ql.Grid):
		i, j = i-1, i-1
	default:
		i, a = i-1, (tau-ql.Grid[i-1])/(ql.Grid[i]-ql.Grid[i-1])
	}
	mix := func(v []float64) float64 { return (1-a)*v[i] + a*v[j] }
	prm.point, prm.low, prm.high, prm.teamLow, prm.teamHigh = mix(ql.Point), mix(ql.Low), mix(ql.High), mix(ql.TeamLow), mix(ql.TeamHigh)
	return prm
}

// quarterMoment returns the moment at an elapsed share of quarter q.
func quarterMoment(q salesrecipe.Period, share float64) time.Time {
	return q.Start.Add(time.Duration(share * float64(q.End().Sub(q.Start))))
}

// quarterMoments returns the moments the quarter levels of a fit at m are learned at.
func quarterMoments(m time.Time) []time.Time {
	var out []time.Time
	for i, q := 0, salesrecipe.NewPeriod(salesrecipe.GrainQuarter, m).Prev(); i < quarterTrainPeriods; i, q = i+1, q.Prev() {
		for _, share := range quarterGrid {
			out = append(out, quarterMoment(q, share))
		}
	}
	return out
}
