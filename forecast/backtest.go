package forecast

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// AsOfPoint is a moment inside every backtested period.
type AsOfPoint struct {
	Name  string
	Share float64 // elapsed share of the period the point stands for
	At    func(p salesrecipe.Period) time.Time
}

// offGrid is added to every as-of point so that no moment sits on a round hour, a day boundary or a
// share the combination is learned at.
const offGrid = 97*time.Minute + 13*time.Second

// DefaultPoints returns n as-of points at the elapsed shares i/(n+1), i = 1..n (20%, 40%, 60% and
// 80% for 4), each moved off the round grid by a few odd minutes.
func DefaultPoints(n int) []AsOfPoint {
	out := make([]AsOfPoint, 0, max(n, 1))
	for i := 1; i <= max(n, 1); i++ {
		out = append(out, SharePoint(float64(i)/float64(max(n, 1)+1)))
	}
	return out
}

// SharePoint returns the as-of point at an elapsed share of the period, moved off the round grid.
func SharePoint(share float64) AsOfPoint {
	return AsOfPoint{Name: fmt.Sprintf("%.0f%%", 100*share), Share: share, At: func(p salesrecipe.Period) time.Time {
		return p.Start.Add(time.Duration(share*float64(p.End().Sub(p.Start))) + offGrid)
	}}
}

// BacktestRequest says which periods to backtest and at which moments.
type BacktestRequest struct {
	Firm     string
	From, To salesrecipe.Period // first and last period, inclusive; both must have ended
	Points   []AsOfPoint        // default DefaultPoints(4)
}

// Backtester refits on the data known at each as-of point and scores every method against what was won.
type Backtester struct {
	Store   Store
	Now     func() time.Time // the outcomes are what is known now; nil means time.Now
	Options model.Options    // recipe options
}

// Run backtests the periods of the request.
func (bt *Backtester) Run(ctx context.Context, req BacktestRequest) (*Backtest, error) {
	now := bt.Now
	if now == nil {
		now = time.Now
	}
	horizon := now().UTC()
	if req.To.End().After(horizon) {
		return nil, fmt.Errorf("backtest %s: period %s has not ended: it ends at %s", req.Firm, req.To, req.To.End().Format(time.RFC3339))
	}
	if len(req.Points) == 0 {
		req.Points = DefaultPoints(4)
	}
	var moments []time.Time
	for p := req.From; !p.Start.After(req.To.Start); p = p.Next() {
		for _, pt := range req.Points {
			moments = append(moments, fitMoments(p.Grain, pt.At(p))...)
		}
	}
	lb, err := newLab(ctx, bt.Store, req.Firm, req.From.Grain, horizon, bt.Options, now, moments)
	if err != nil {
		return nil, err
	}
	out := &Backtest{Firm: req.Firm}
	for p := req.From; !p.Start.After(req.To.Start); p = p.Next() {
		pts, err := backtestPeriod(ctx, lb, p, req.Points)
		if err != nil {
			return nil, err
		}
		out.Points = append(out.Points, pts...)
		out.Periods++
	}
	out.Methods = ScorePoints(out.Points, pointNames(req.Points))
	return out, nil
}

// backtestPeriod forecasts one period at each point with models fitted on the data known then.
func backtestPeriod(ctx context.Context, lb *lab, p salesrecipe.Period, points []AsOfPoint) ([]Point, error) {
	actual := lb.book.won(p.Start, p.End(), lb.horizon)
	var out []Point
	for _, pt := range points {
		at := pt.At(p)
		m, err := lb.model(ctx, at, false)
		if err != nil {
			return nil, fmt.Errorf("backtest %s at %s: %w", p, pt.Name, err)
		}
		in, err := readInputs(ctx, lb.rd, p, at, m.lags())
		if err != nil {
			return nil, err
		}
		fs := featureSet{in: in, rc: m.Recipe, pm: m.Pipeline, file: m.fileProbabilities(), fallback: m.WinRate}
		feats := fs.compute(slices.Sorted(maps.Keys(actual)))
		for _, rep := range slices.Sorted(maps.Keys(feats)) {
			f := feats[rep]
			if !f.Seen && actual[rep] == 0 {
				continue
			}
			base := Point{PeriodStart: p.Start, AsOfPoint: pt.Name, AsOf: at, RepID: rep, Team: lb.teams[rep], Actual: actual[rep]}
			pr := m.Combiner.predict(rep, f, p.Start.Unix())
			out = append(out, methodPoints(base, pr, f)...)
		}
	}
	return out, nil
}

// methodPoints returns one point per method for a rep.
func methodPoints(base Point, pr prediction, f *repFeatures) []Point {
	runRate := 0.0
	if f.Tau > 0 {
		runRate = f.Closed / f.Tau
	}
	values := map[string]float64{
		MethodRecipeOnly:    f.Closed + f.recipeRemaining(),
		MethodPipelineOnly:  f.Closed + f.PIn + f.PPull,
		MethodLastPeriod:    f.Last,
		MethodRunRate:       runRate,
		MethodStageWeighted: f.Closed + f.PFile,
	}
	out := make([]Point, 0, len(values)+1)
	p := base
	p.Method, p.Forecast, p.Low, p.High = MethodSalesrecipe, pr.forecast, pr.low, pr.high
	out = append(out, p)
	for _, name := range Methods()[1:] {
		p := base
		p.Method, p.Forecast, p.Low, p.High = name, values[name], values[name], values[name]
		out = append(out, p)
	}
	return out
}

// accuracy accumulates absolute errors, signed errors and actuals.
type accuracy struct{ absErr, err, act, in, n float64 }

// add records one forecast.
func (a *accuracy) add(f, actual float64) {
	a.absErr += math.Abs(actual - f)
	a.err += f - actual
	a.act += math.Abs(actual)
	a.n++
}

// wape returns sum |A-F| / sum |A|, 0 when nothing was won.
func (a accuracy) wape() float64 {
	if a.act == 0 {
		return 0
	}
	return a.absErr / a.act
}

// bias returns sum (F-A) / sum A, 0 when nothing was won.
func (a accuracy) bias() float64 {
	if a.act == 0 {
		return 0
	}
	return a.err / a.act
}

// pointNames lists the names of as-of points, in order.
func pointNames(points []AsOfPoint) []string {
	names := make([]string, len(points))
	for i, p := range points {
		names[i] = p.Name
	}
	return names
}

// ScorePoints computes every method's scores per as-of point (rep WAPE, team WAPE
// over team-periods, bias, and the combined forecast's interval coverage), in
// method then point order; callers may pass any subset of a backtest's points.
func ScorePoints(points []Point, order []string) []Score {
	type key struct{ method, point string }
	reps := map[key]*accuracy{}
	teams := map[key]map[string]*[2]float64{} // team|period -> forecast, actual
	for _, p := range points {
		k := key{p.Method, p.AsOfPoint}
		if reps[k] == nil {
			reps[k], teams[k] = &accuracy{}, map[string]*[2]float64{}
		}
		reps[k].add(p.Forecast, p.Actual)
		if p.Actual >= p.Low && p.Actual <= p.High {
			reps[k].in++
		}
		tk := p.Team + "|" + p.PeriodStart.Format(time.DateOnly)
		if teams[k][tk] == nil {
			teams[k][tk] = &[2]float64{}
		}
		teams[k][tk][0] += p.Forecast
		teams[k][tk][1] += p.Actual
	}
	var out []Score
	for _, method := range Methods() {
		for _, pt := range order {
			k := key{method, pt}
			a := reps[k]
			if a == nil {
				continue
			}
			var team accuracy
			for _, tk := range slices.Sorted(maps.Keys(teams[k])) { // a fixed order, so the sums do not vary between runs
				team.add(teams[k][tk][0], teams[k][tk][1])
			}
			s := Score{Method: method, AsOfPoint: pt, RepWAPE: round4(a.wape()), TeamWAPE: round4(team.wape()), Bias: round4(a.bias()), Forecasts: int(a.n)}
			if method == MethodSalesrecipe {
				s.IntervalCoverage = Ratio(a.in, a.n)
				*s.IntervalCoverage = round4(*s.IntervalCoverage)
			}
			out = append(out, s)
		}
	}
	return out
}

// round4 rounds to four decimals.
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
