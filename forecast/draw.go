package forecast

import (
	"hash/fnv"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/salesrecipe/salesrecipe/model"
)

// params are the combination's parameters at one elapsed share.
type params struct {
	pipeline          float64
	newBusiness       []float64
	dispersion        float64
	commonFirm        float64 // variance of the firm's shared factor on revenue still to come (see shared)
	commonTeam        float64 // the same of the firm's and the team's factors together
	point, low, high  float64
	teamLow, teamHigh float64
}

// at returns the parameters at elapsed share tau, interpolated between grid points.
func (c *Combiner) at(tau float64) params {
	i := sort.SearchFloat64s(c.Grid, tau) // first grid point >= tau
	switch {
	case i == 0:
		return c.param(0)
	case i == len(c.Grid):
		return c.param(len(c.Grid) - 1)
	}
	a := (tau - c.Grid[i-1]) / (c.Grid[i] - c.Grid[i-1])
	p, q := c.param(i-1), c.param(i)
	mix := func(x, y float64) float64 { return (1-a)*x + a*y }
	out := params{pipeline: mix(p.pipeline, q.pipeline), dispersion: mix(p.dispersion, q.dispersion), commonFirm: mix(p.commonFirm, q.commonFirm),
		commonTeam: mix(p.commonTeam, q.commonTeam), point: mix(p.point, q.point), low: mix(p.low, q.low),
		high: mix(p.high, q.high), teamLow: mix(p.teamLow, q.teamLow), teamHigh: mix(p.teamHigh, q.teamHigh)}
	for j := range p.newBusiness {
		out.newBusiness = append(out.newBusiness, mix(p.newBusiness[j], q.newBusiness[j]))
	}
	return out
}

// param returns the parameters of grid point g.
func (c *Combiner) param(g int) params {
	p := params{pipeline: c.Pipeline[g], newBusiness: c.NewBusiness[g], point: c.Point[g], low: c.Low[g],
		high: c.High[g], teamLow: c.TeamLow[g], teamHigh: c.TeamHigh[g]}
	if g < len(c.Dispersion) { // a combination stored before dispersion was learned draws Poisson
		p.dispersion = c.Dispersion[g]
	}
	if g < len(c.CommonFirm) && g < len(c.CommonTeam) { // one stored before shared factors were learned draws reps independently
		p.commonFirm, p.commonTeam = c.CommonFirm[g], c.CommonTeam[g]
	}
	return p
}

// Softness of the draws: a deal of chance q counts in a draw by ramp((q - u) / dealSoftness) of its
// uniform u, and the k-th new deal by ramp((mu - T_k) / arrivalSoftness) of its arrival time T_k in a
// unit-rate Poisson process, instead of all or nothing (ramp is 0 below -1, 1 above 1 and smooth
// between, so a draw far from every threshold is exactly what an all-or-nothing draw would be). Each draw is then a smooth function of
// the chances and of the new-business mean, so a forecast moves smoothly as time passes; with the same
// seed at every moment of a period (common random numbers) nothing but the model's inputs moves it.
const (
	dealSoftness    = 0.04
	arrivalSoftness = 0.1
)

// scaled returns the draws with draw i's parts multiplied by p's shared factor of draw i.
func (d drawSet) scaled(p params, seeds drawSeeds) drawSet {
	out := drawSet{pipeline: make([]float64, len(d.pipeline)), fresh: make([]float64, len(d.fresh))}
	for i := range d.pipeline {
		g := p.shared(seeds, uint64(i))
		out.pipeline[i], out.fresh[i] = g*d.pipeline[i], g*d.fresh[i]
	}
	return out
}

// drawSeeds are the seeds of one rep's draws of one period: the rep's own, and its team's and its
// firm's, which every rep of the team or the firm shares in that period, so that draw i of two reps
// shares their shared factors (see params.shared).
type drawSeeds struct{ rep, team, firm uint64 }

// seedsOf returns the draw seeds of a rep of a team from two numbers (a period and a grid point).
func seedsOf(rep, team string, a, b int64) drawSeeds {
	return drawSeeds{rep: seedOf(rep, a, b), team: seedOf("\x00team\x00"+team, a, b), firm: seedOf("\x00firm", a, b)}
}

// drawSet is one rep's (or a sum of reps') draws split by source: draw i is closed won plus
// pipeline[i], the revenue of deals open now, plus fresh[i], the revenue of deals not yet open.
type drawSet struct {
	pipeline, fresh []float64
}

// totals returns each draw's total with closed won added.
func (d drawSet) totals(closed float64) []float64 {
	out := make([]float64, len(d.pipeline))
	for i := range out {
		out[i] = closed + d.pipeline[i] + d.fresh[i]
	}
	return out
}

// mean returns the draws' mean beyond what is closed.
func (d drawSet) mean() float64 {
	s := 0.0
	for i := range d.pipeline {
		s += d.pipeline[i] + d.fresh[i]
	}
	return s / float64(max(len(d.pipeline), 1))
}

// add sums another set of draws into d, draw by draw.
func (d *drawSet) add(o drawSet) {
	if d.pipeline == nil {
		d.pipeline, d.fresh = make([]float64, len(o.pipeline)), make([]float64, len(o.fresh))
	}
	for i := range o.pipeline {
		d.pipeline[i] += o.pipeline[i]
		d.fresh[i] += o.fresh[i]
	}
}

// drawParts returns n draws with the given parameters, split by source; after the period's end
// (Tau >= 1) every part is zero and the draws are what was closed.
func (c *Combiner) drawParts(p params, f *repFeatures, seeds drawSeeds, n int) drawSet {
	d := drawSet{pipeline: make([]float64, n), fresh: make([]float64, n)}
	if f.Tau >= 1 {
		return d
	}
	mu := c.newMean(p, f)
	qs := chancesOf(p, f)
	for i := range n {
		g := p.shared(seeds, uint64(i))
		d.pipeline[i] = g * dealsDraw(qs, f.Deals, seeds.rep, uint64(i))
		d.fresh[i] = g * c.newDeals(mu*mixing(p.dispersion, seeds.rep, uint64(i)), seeds.rep^0x9e3779b97f4a7c15, uint64(i))
	}
	return d
}

// mixing returns draw i's factor on the new-business mean: lognormal with mean 1 and variance
// dispersion, so the number of new won deals is a Poisson-lognormal mixture whose variance is
// mu + dispersion mu^2 (new won deals vary between rep-months more than a Poisson of their expected
// count). The factor comes from the draw's own uniform, the same at every moment of the period, so
// the draws stay smooth in time.
func mixing(dispersion float64, seed, i uint64) float64 {
	if !(dispersion > 0) {
		return 1
	}
	s2 := math.Log1p(dispersion)
	return math.Exp(math.Sqrt(s2)*normalOf(seed, i) - s2/2)
}

// shared returns draw i's factor on a rep's revenue still to come (its open deals' and its new
// business's): lognormal with mean 1, the product of the firm's factor, the same for every rep of
// the firm in the period's draw i (variance commonFirm), and the team's, the same for every rep of
// the team (so that two reps of one team have covariance commonTeam). The reps' own draws are
// independent given their chances and means; what moves them together (a season, a firm's good
// month, the learned chances' and weights' own error) moves every rep's draw i at once, so the
// summed draws of a team or the firm vary as much as their outcomes did in training. 1 when nothing
// is shared.
func (p params) shared(seeds drawSeeds, i uint64) float64 {
	if !(max(p.commonFirm, p.commonTeam) > 0) {
		return 1
	}
	return p.sharedOf(normalOf(seeds.firm, i), normalOf(seeds.team, i))
}

// sharedOf returns the shared factor of the firm's and the team's standard normal numbers.
func (p params) sharedOf(firmZ, teamZ float64) float64 {
	firm := math.Log1p(max(p.commonFirm, 0))
	team := math.Log1p(max(p.commonTeam, p.commonFirm, 0))
	if !(team > 0) {
		return 1
	}
	return math.Exp(math.Sqrt(firm)*firmZ + math.Sqrt(team-firm)*teamZ - team/2)
}

// normalOf returns draw i's standard normal number of a seed.
func normalOf(seed, i uint64) float64 {
	return distuv.UnitNormal.Quantile(unitHash(seed^0x5bd1e9955bd1e995, i, 0))
}

// newMean returns the expected number of new won deals under the parameters.
func (c *Combiner) newMean(p params, f *repFeatures) float64 {
	return math.Max(0, dot(p.newBusiness, f.newBusiness(c.Kinds)))
}

// pipelineDraw returns draw i's revenue from the rep's open deals.
func pipelineDraw(p params, f *repFeatures, seed, i uint64) float64 {
	return dealsDraw(chancesOf(p, f), f.Deals, seed, i)
}

// chancesOf returns the chance of each of the rep's open deals under the parameters.
func chancesOf(p params, f *repFeatures) []float64 {
	qs := make([]float64, len(f.Deals))
	for j, d := range f.Deals {
		qs[j] = math.Min(1, p.pipeline*d.p)
	}
	return qs
}

// dealsDraw returns draw i's revenue from open deals with chances qs.
func dealsDraw(qs []float64, deals []chance, seed, i uint64) float64 {
	s := 0.0
	for j, d := range deals {
		s += d.amount * ramp((qs[j]-unitHash(seed, i, uint64(j)))/dealSoftness)
	}
	return s
}

// newDeals returns one draw's revenue from deals not yet open: the arrivals of a unit-rate Poisson
// process up to time mu, each softly counted, with amounts drawn from Amounts.
func (c *Combiner) newDeals(mu float64, seed, draw uint64) float64 {
	if !(mu > 0) || len(c.Amounts) == 0 {
		return 0
	}
	limit := mu + arrivalSoftness
	s, t := 0.0, 0.0
	for k := uint64(0); ; k += 2 {
		t -= math.Log(1 - unitHash(seed, draw, k))
		if t > limit {
			return s
		}
		s += model.QuantileSorted(c.Amounts, unitHash(seed, draw, k+1)) * ramp((mu-t)/arrivalSoftness)
	}
}

// ramp rises smoothly from 0 at x <= -1 to 1 at x >= 1 (a cubic with zero slope at both ends).
func ramp(x float64) float64 {
	switch {
	case x <= -1:
		return 0
	case x >= 1:
		return 1
	}
	return 0.5 + 0.75*x - 0.25*x*x*x
}

// unitHash returns a uniform number in [0, 1) determined by a seed and two indices (splitmix64).
func unitHash(seed, a, b uint64) float64 {
	z := seed + 0x9e3779b97f4a7c15*(a+1) + 0xbf58476d1ce4e5b9*(b+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// seedOf derives a draw seed from a rep and two numbers, so each rep's draws are reproducible and
// independent of which other reps are forecast.
func seedOf(rep string, a, b int64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(rep))
	var buf [16]byte
	for i := range 8 {
		buf[i], buf[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	h.Write(buf[:])
	return h.Sum64()
}

// prediction is a rep's forecast with its interval, its breakdown and the draws behind them.
type prediction struct {
	forecast, low, high float64
	split               breakdown
	draws               []float64
	parts               drawSet
}

// forecastDraws is the number of draws behind a live or backtest forecast.
const forecastDraws = 500

// predict returns the forecast and interval of a rep of a team, from draws seeded by the rep, the team
// and the period only, so that forecasts of one period at different moments share their random numbers.
func (c *Combiner) predict(rep, team string, f *repFeatures, periodStart int64) prediction {
	p := c.at(f.Tau)
	parts := c.drawParts(p, f, seedsOf(rep, team, periodStart, 0), forecastDraws)
	draws := parts.totals(f.Closed)
	s := sorted(draws)
	point := pointOf(s, p.point)
	return prediction{forecast: point, low: model.QuantileSorted(s, p.low), high: model.QuantileSorted(s, p.high),
		split: splitPoint(draws, parts, f.Closed, point, p.point), draws: draws, parts: parts}
}

// teamInterval returns the interval of a sum of reps from their summed draws at the team levels of p.
func teamInterval(p params, sum []float64) (low, high float64) {
	s := sorted(sum)
	return model.QuantileSorted(s, p.teamLow), model.QuantileSorted(s, p.teamHigh)
}

// pointBand is the half-width, in quantile levels, of the band of draws the point forecast averages.
const pointBand = 0.2

// pointOf returns the point forecast from sorted draws: the mean of the draws' quantiles over the
// levels level-pointBand to level+pointBand. A lone quantile of a lumpy outcome (a few deals, or
// none, decide it) jumps between the outcome's atoms as chances move; the band's mean moves smoothly
// and keeps most of the median's robustness.
func pointOf(sorted []float64, level float64) float64 { return bandMean(sorted, level, pointBand) }

// bandSteps is the number of levels bandMean averages.
const bandSteps = 40

// bandMean returns the mean of sorted draws' quantiles over the levels level-band to level+band.
func bandMean(sorted []float64, level, band float64) float64 {
	lo, hi := math.Max(0, level-band), math.Min(1, level+band)
	s := 0.0
	for i := range bandSteps {
		s += model.QuantileSorted(sorted, lo+(hi-lo)*(float64(i)+0.5)/bandSteps)
	}
	return s / bandSteps
}
