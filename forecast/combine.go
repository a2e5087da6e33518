package forecast

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/salesrecipe/salesrecipe/model"
)

// trainingGrid is the elapsed shares of a period at which the combination is learned.
var trainingGrid = []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9}

// Minimum training data for a learned combination at one grid point.
const (
	minTrainRows    = 20
	minTrainPeriods = 3
)

// Combiner is the combination of pipeline and recipe learned by backtests over past periods, at each
// elapsed share of the period in Grid.
//
// A rep's won revenue in the period is drawn as closed won so far, plus each open deal won with its
// learned chance times Pipeline (the backtests' won deals over expected wins), plus new business: a
// number of new won deals with mean NewBusiness . newBusiness(Kinds) (recipe expectations, presence
// and the activity still expected of each kind, weights learned on the number of deals created after
// the moment and won in the period in the backtests), Poisson around a lognormal factor of the mean
// with variance Dispersion (learned from how much more those numbers varied than a Poisson), amounts
// drawn from Amounts. The forecast is the draws' quantile at Point (the level that minimized the
// backtests' absolute error), the interval their quantiles at Low and High (the levels that held 10%
// of outcomes below and 10% above in the backtests); team and firm intervals use TeamLow and TeamHigh
// on summed draws, in which each rep's revenue still to come is multiplied by its firm's and its
// team's shared factors of the draw (variances CommonFirm and CommonTeam, learned from how the
// training reps' outcomes moved together), so that the sum of a team varies as a team does.
type Combiner struct {
	Grid        []float64   `json:"grid"`
	Kinds       []string    `json:"kinds"`        // activity kinds of the new-business inputs
	Features    []string    `json:"features"`     // new-business inputs
	Pipeline    []float64   `json:"pipeline"`     // scale of the stage model's chances, per grid point
	NewBusiness [][]float64 `json:"new_business"` // [grid][feature] non-negative weights of the new-business mean
	Dispersion  []float64   `json:"dispersion"`   // variance of the new-business mean's lognormal factor, per grid point
	CommonFirm  []float64   `json:"common_firm"`  // variance of the firm's shared factor on revenue still to come, per grid point
	CommonTeam  []float64   `json:"common_team"`  // variance of the firm's and the team's shared factors together
	Point       []float64   `json:"point"`        // quantile level of the forecast
	Low, High   []float64   // rep interval quantile levels
	TeamLow     []float64   `json:"team_low"`
	TeamHigh    []float64   `json:"team_high"`
	Amounts     []float64   `json:"amounts"` // sorted amounts of won deals created in their closing period (see amountSample)
	Rows        []int       `json:"rows"`    // training rows per grid point
	Periods     int         `json:"periods"` // past periods backtested
	Level       float64     `json:"level"`
	Learned     bool        `json:"learned"` // false when history was too short: documented defaults
}

// sample is one training row: a rep in a past period seen at one elapsed share.
type sample struct {
	period int
	team   string
	rep    string
	f      *repFeatures
	pipe   float64 // deals won after the moment that were open at the moment
	fresh  float64 // deals won after the moment that were created after it
	actual float64 // won in the whole period
}

// Defaults used where history is too short to learn.
var (
	defaultRecipeWeights = []float64{0, 0.5, 1, 1, 0} // without history, the recipe's own expectations
	defaultLevels        = [3]float64{0.5, 0.1, 0.9}  // point, low, high
)

// trainDraws is the number of draws per training row.
const trainDraws = 200

// learnCombiner learns the combination at every grid point from backtest rows, the grid points
// spread over workers (each is learned from its own rows only).
func learnCombiner(rows [][]sample, periods int, kinds []string, amounts []float64, level float64, workers int) (*Combiner, error) {
	c := &Combiner{Grid: trainingGrid, Kinds: kinds, Features: newBusinessFeatures(kinds), Periods: periods, Level: level,
		Learned: true, Amounts: amounts}
	mean := meanOf(amounts)
	var learn []int
	for g := range trainingGrid {
		c.Rows = append(c.Rows, len(rows[g]))
		nb := make([]float64, len(c.Features))
		if mean > 0 {
			for j, w := range defaultRecipeWeights {
				nb[j] = w / mean // money of the recipe's expectations in deals of the average amount
			}
		}
		c.Pipeline, c.NewBusiness, c.Dispersion = append(c.Pipeline, 1), append(c.NewBusiness, nb), append(c.Dispersion, 0)
		c.CommonFirm, c.CommonTeam = append(c.CommonFirm, 0), append(c.CommonTeam, 0)
		c.Point, c.Low, c.High = append(c.Point, defaultLevels[0]), append(c.Low, defaultLevels[1]), append(c.High, defaultLevels[2])
		c.TeamLow, c.TeamHigh = append(c.TeamLow, defaultLevels[1]), append(c.TeamHigh, defaultLevels[2])
		if !enough(rows[g]) || len(amounts) == 0 {
			c.Learned = false
			continue
		}
		learn = append(learn, g)
	}
	errs := make([]error, len(learn))
	forEach(len(learn), workers, func(i int) {
		g := learn[i]
		draws, err := c.learnMeans(g, rows[g])
		if err != nil {
			errs[i] = fmt.Errorf("learn the combination at %.0f%% of the period: %w", 100*trainingGrid[g], err)
			return
		}
		c.learnLevels(g, rows[g], draws)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// enough reports whether rows hold enough reps and periods to learn from.
func enough(rows []sample) bool {
	periods := map[int]bool{}
	for _, r := range rows {
		periods[r.period] = true
	}
	return len(rows) >= minTrainRows && len(periods) >= minTrainPeriods
}

// learnMeans learns the pipeline scale and the new-business weights at grid point g and returns the
// training rows' draws under them.
func (c *Combiner) learnMeans(g int, rows []sample) ([][]float64, error) {
	var won, expected float64
	for _, r := range rows {
		won += r.pipe
		for _, d := range r.f.Deals {
			expected += d.p
		}
	}
	if expected > 0 {
		c.Pipeline[g] = math.Min(5, math.Max(0.2, won/expected))
	}
	w, err := fitNewBusiness(rows, c.Kinds)
	if err != nil {
		return nil, err
	}
	c.NewBusiness[g] = w
	c.Dispersion[g] = dispersionOf(rows, w, c.Kinds)
	parts := make([]drawSet, len(rows)) // each rep's own, before the shared factors are learned
	for i, r := range rows {
		parts[i] = c.drawParts(c.param(g), r.f, seedsOf(r.rep, r.team, int64(r.period), int64(g)), trainDraws)
	}
	c.CommonFirm[g], c.CommonTeam[g] = commonOf(rows, parts)
	draws := make([][]float64, len(rows))
	for i, r := range rows {
		draws[i] = parts[i].scaled(c.param(g), seedsOf(r.rep, r.team, int64(r.period), int64(g))).totals(r.f.Closed)
	}
	return draws, nil
}

// learnLevels sets grid point g's point and interval levels from its rows' draws.
func (c *Combiner) learnLevels(g int, rows []sample, draws [][]float64) {
	sortedDraws := make([][]float64, len(draws))
	for i := range draws {
		sortedDraws[i] = sorted(draws[i])
	}
	c.Point[g] = bestLevel(rows, sortedDraws)
	c.Low[g], c.High[g] = pitLevels(rows, sortedDraws, c.Level)
	c.TeamLow[g], c.TeamHigh[g] = teamLevels(rows, draws, c.Level)
}

// fitNewBusiness regresses the number of deals created after the moment and won in the period on the
// new-business inputs (counts, not amounts, so a few large deals do not steer the weights).
func fitNewBusiness(rows []sample, kinds []string) ([]float64, error) {
	k := len(newBusinessFeatures(kinds))
	a := mat.NewDense(len(rows), k, nil)
	y := make([]float64, len(rows))
	for i, r := range rows {
		a.SetRow(i, r.f.newBusiness(kinds))
		y[i] = r.fresh
	}
	trace := 0.0
	for j := range k {
		trace += sumSquares(mat.Col(nil, j, a))
	}
	return model.NNLS(a, y, 1e-6*trace/float64(k))
}

// maxDispersion caps the learned dispersion of new business.
const maxDispersion = 3

// dispersionOf returns the method-of-moments dispersion of the rows' new won deals around their
// means under weights w: how much their variance exceeds a Poisson's (the mean), over the sum of the
// squared means, 0 when they vary no more than a Poisson.
func dispersionOf(rows []sample, w []float64, kinds []string) float64 {
	var excess, squares float64
	for _, r := range rows {
		mu := math.Max(0, dot(w, r.f.newBusiness(kinds)))
		excess += (r.fresh-mu)*(r.fresh-mu) - r.fresh
		squares += mu * mu
	}
	if !(squares > 0) {
		return 0
	}
	return math.Min(maxDispersion, math.Max(0, excess/squares))
}

// commonOf returns the method-of-moments variances of the shared factors on the revenue still to
// come from the rows' draws (parts, each rep's own): the firm's, from pairs of reps of two teams in
// one period, and the firm's and the team's together, from pairs of reps of one team. Each is the sum
// over such pairs of the products of their outcomes' deviations from their draws' means, over the
// sum of the products of those means: the reps' own draws are independent, so only what they share
// (a season, a good month for the firm, the error of chances and weights learned from the same
// periods) makes their deviations move together. Both are at least 0 and the team's at least the
// firm's.
func commonOf(rows []sample, parts []drawSet) (firm, team float64) {
	type group struct{ dev, devSquares, mean, meanSquares float64 }
	type teamKey struct {
		period int
		team   string
	}
	byPeriod, byTeam := map[int]*group{}, map[teamKey]*group{}
	var periods, teams []*group // in the rows' order, so the sums do not depend on the maps' order
	add := func(g *group, dev, mu float64) {
		g.dev, g.devSquares, g.mean, g.meanSquares = g.dev+dev, g.devSquares+dev*dev, g.mean+mu, g.meanSquares+mu*mu
	}
	for i, r := range rows {
		mu := parts[i].mean()
		p, t := byPeriod[r.period], byTeam[teamKey{r.period, r.team}]
		if p == nil {
			p = &group{}
			byPeriod[r.period], periods = p, append(periods, p)
		}
		if t == nil {
			t = &group{}
			byTeam[teamKey{r.period, r.team}], teams = t, append(teams, t)
		}
		dev := r.actual - r.f.Closed - mu
		add(p, dev, mu)
		add(t, dev, mu)
	}
	var allDev, allMean, inDev, inMean float64 // sums over pairs of reps of one period, and of one team in it
	for _, g := range periods {
		allDev, allMean = allDev+(g.dev*g.dev-g.devSquares)/2, allMean+(g.mean*g.mean-g.meanSquares)/2
	}
	for _, g := range teams {
		inDev, inMean = inDev+(g.dev*g.dev-g.devSquares)/2, inMean+(g.mean*g.mean-g.meanSquares)/2
	}
	if cross := allMean - inMean; cross > 0 {
		firm = math.Max(0, (allDev-inDev)/cross)
	}
	if inMean > 0 {
		team = inDev / inMean
	}
	return math.Min(firm, maxShared), math.Min(maxShared, math.Max(firm, team))
}

// maxShared caps the learned variances of the shared factors.
const maxShared = 1

// maxAmountSample is the most amounts a combination keeps to draw new deals' amounts from.
const maxAmountSample = 1000

// amountSample returns sorted amounts, or maxAmountSample of their order statistics evenly spaced in
// rank from the smallest to the largest: drawn by quantile, they keep the amounts' whole tail (the
// percentiles 1-99 alone left out the largest deals, which carry a seventh of a lumpy firm's
// new-business revenue).
func amountSample(sorted []float64) []float64 {
	n := len(sorted)
	if n <= maxAmountSample {
		return sorted
	}
	out := make([]float64, maxAmountSample)
	for i := range out {
		out[i] = sorted[int(math.Round(float64(i)*float64(n-1)/float64(maxAmountSample-1)))]
	}
	return out
}

// meanOf returns the mean of v, 0 when empty.
func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// sumSquares returns the sum of squares of v.
func sumSquares(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}

// dot returns the inner product of a and b.
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// sorted returns a sorted copy of v.
func sorted(v []float64) []float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s
}

// pointLevels are the quantile levels tried as the point forecast.
var pointLevels = []float64{0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7}

// bestLevel returns the quantile level whose point forecasts (from sorted draws) had the smallest
// absolute error over the rows: the rep-level WAPE the forecast is judged by.
func bestLevel(rows []sample, sortedDraws [][]float64) float64 {
	best, bestErr := 0.5, math.Inf(1)
	for _, q := range pointLevels {
		e := 0.0
		for i, r := range rows {
			e += math.Abs(r.actual - pointOf(sortedDraws[i], q))
		}
		if e < bestErr {
			best, bestErr = q, e
		}
	}
	return best
}

// pitLevels returns the quantile levels whose per-row quantiles (of sorted draws) left (1-level)/2 of the actuals below
// and (1-level)/2 above.
func pitLevels(rows []sample, sortedDraws [][]float64, level float64) (lo, hi float64) {
	actual := make([]float64, len(rows))
	for i := range rows {
		actual[i] = rows[i].actual
	}
	return coverLevels(sortedDraws, actual, level)
}

// coverLevels finds by bisection the levels that leave the target shares of actuals outside.
func coverLevels(s [][]float64, actual []float64, level float64) (lo, hi float64) {
	tail := (1 - level) / 2
	below := func(q float64) float64 { return share(s, actual, q, func(a, x float64) bool { return a < x }) }
	above := func(q float64) float64 { return share(s, actual, q, func(a, x float64) bool { return a > x }) }
	lo = bisect(0, 0.5, func(q float64) bool { return below(q) < tail }) // largest level keeping below < tail
	hi = bisect(1, 0.5, func(q float64) bool { return above(q) < tail }) // smallest level keeping above < tail
	return lo, hi
}

// share returns the share of actuals for which out(actual, quantile) holds.
func share(s [][]float64, actual []float64, q float64, out func(a, x float64) bool) float64 {
	n := 0
	for i, a := range actual {
		if out(a, model.QuantileSorted(s[i], q)) {
			n++
		}
	}
	return float64(n) / float64(max(len(actual), 1))
}

// bisect moves from the safe end toward the other end while ok holds, returning the last level found ok.
func bisect(safe, other float64, ok func(float64) bool) float64 {
	good, bad := safe, other
	if ok(other) {
		return other
	}
	for range 20 {
		mid := (good + bad) / 2
		if ok(mid) {
			good = mid
		} else {
			bad = mid
		}
	}
	return good
}

// teamLevels does the same as pitLevels for teams, summing their reps' draws.
func teamLevels(rows []sample, draws [][]float64, level float64) (lo, hi float64) {
	type key struct {
		period int
		team   string
	}
	sums, actual := map[key][]float64{}, map[key]float64{}
	var keys []key
	for i, r := range rows {
		k := key{r.period, r.team}
		if sums[k] == nil {
			sums[k] = make([]float64, len(draws[i]))
			keys = append(keys, k)
		}
		for j, v := range draws[i] {
			sums[k][j] += v
		}
		actual[k] += r.actual
	}
	if len(keys) < minTrainRows {
		return defaultLevels[1], defaultLevels[2]
	}
	s := make([][]float64, len(keys))
	a := make([]float64, len(keys))
	for i, k := range keys {
		s[i], a[i] = sorted(sums[k]), actual[k]
	}
	return coverLevels(s, a, level)
}
