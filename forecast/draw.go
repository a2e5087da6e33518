package forecast

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/salesrecipe/salesrecipe/model"
)

// params are the combination's parameters at one elapsed share.
type params struct {
	pipeline          float64
	newBusiness       []float64
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
	out := params{pipeline: mix(p.pipeline, q.pipeline), point: mix(p.point, q.point), low: mix(p.low, q.low),
		high: mix(p.high, q.high), teamLow: mix(p.teamLow, q.teamLow), teamHigh: mix(p.teamHigh, q.teamHigh)}
	for j := range p.newBusiness {
		out.newBusiness = append(out.newBusiness, mix(p.newBusiness[j], q.newBusiness[j]))
	}
	return out
}

// param returns the parameters of grid point g.
func (c *Combiner) param(g int) params {
	return params{pipeline: c.Pipeline[g], newBusiness: c.NewBusiness[g], point: c.Point[g], low: c.Low[g],
		high: c.High[g], teamLow: c.TeamLow[g], teamHigh: c.TeamHigh[g]}
}

// drawWith returns n draws with the given parameters.
func (c *Combiner) drawWith(p params, f *repFeatures, seed uint64, n int) []float64 {
	out := make([]float64, n)
	if f.Tau >= 1 {
		for i := range out {
			out[i] = f.Closed
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, 0x5a1e5))
	mu := math.Max(0, dot(p.newBusiness, f.newBusiness(c.Kinds)))
	for i := range out {
		s := f.Closed
		for _, d := range f.Deals {
			if rng.Float64() < math.Min(1, p.pipeline*d.p) {
				s += d.amount
			}
		}
		for range poisson(rng, mu) {
			s += model.QuantileSorted(c.Amounts, rng.Float64())
		}
		out[i] = s
	}
	return out
}

// poisson draws a Poisson count with mean mu (normal approximation above 50).
func poisson(r *rand.Rand, mu float64) int {
	switch {
	case !(mu > 0):
		return 0
	case mu > 50:
		return max(0, int(math.Round(mu+math.Sqrt(mu)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mu), 0, r.Float64()
	for p > l {
		k++
		p *= r.Float64()
	}
	return k
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

// prediction is a rep's forecast with its interval and the draws behind them.
type prediction struct {
	forecast, low, high float64
	draws               []float64
}

// forecastDraws is the number of draws behind a live or backtest forecast.
const forecastDraws = 500

// predict returns the rep's forecast and interval, from draws seeded by the rep, period and moment.
func (c *Combiner) predict(rep string, f *repFeatures, periodStart, at int64) prediction {
	p := c.at(f.Tau)
	draws := c.drawWith(p, f, seedOf(rep, periodStart, at), forecastDraws)
	s := sorted(draws)
	return prediction{forecast: model.QuantileSorted(s, p.point), low: model.QuantileSorted(s, p.low), high: model.QuantileSorted(s, p.high), draws: draws}
}

// teamInterval returns the interval of a sum of reps from their summed draws.
func (c *Combiner) teamInterval(tau float64, sum []float64) (low, high float64) {
	p := c.at(tau)
	s := sorted(sum)
	return model.QuantileSorted(s, p.teamLow), model.QuantileSorted(s, p.teamHigh)
}
