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
		quotas, err := periodQuotas(ctx, bt.Store, req.Firm, p)
		if err != nil {
			return nil, err
		}
		reps, teams, err := backtestPeriod(ctx, lb, p, req.Points, quotas)
		if err != nil {
			return nil, err
		}
		out.Points = append(out.Points, reps...)
		out.Teams = append(out.Teams, teams...)
		out.Periods++
	}
	out.Methods = ScorePoints(out.Points, out.Teams, pointNames(req.Points))
	return out, nil
}

// backtestPeriod forecasts one period at each point with models fitted on the data known then: one
// point per method for every rep seen by then or winning in the period, and one per method for every
// team, over the reps the live forecast lists then (seen, or given a quota), as its team rows show it.
func backtestPeriod(ctx context.Context, lb *lab, p salesrecipe.Period, points []AsOfPoint, quotas map[string]float64) (reps, teams []Point, err error) {
	actual := lb.book.won(p.Start, p.End(), lb.horizon)
	extra := slices.Sorted(maps.Keys(actual))
	for rep := range quotas {
		if _, ok := actual[rep]; !ok {
			extra = append(extra, rep)
		}
	}
	for _, pt := range points {
		at := pt.At(p)
		m, err := lb.model(ctx, at, false)
		if err != nil {
			return nil, nil, fmt.Errorf("backtest %s at %s: %w", p, pt.Name, err)
		}
		ps, err := readPeriod(ctx, lb.rd, m, p, at, extra)
		if err != nil {
			return nil, nil, err
		}
		feats := ps.feats
		totals := map[string]*teamTotal{}
		for _, rep := range slices.Sorted(maps.Keys(feats)) { // the live forecast's order, so the draws sum the same
			f := feats[rep]
			_, hasQuota := quotas[rep]
			listed := f.Seen || hasQuota // what the live forecast lists
			if !listed && actual[rep] == 0 {
				continue
			}
			base := Point{PeriodStart: p.Start, AsOfPoint: pt.Name, AsOf: at, RepID: rep, Team: lb.teams[rep], Actual: actual[rep]}
			pr := ps.predict(m, rep, lb.teams[rep])
			ps := methodPoints(base, pr, f)
			if f.Seen || actual[rep] != 0 {
				reps = append(reps, ps...)
			}
			t := totals[base.Team]
			if t == nil {
				t = &teamTotal{values: map[string]float64{}}
				totals[base.Team] = t
			}
			t.actual += actual[rep]
			if listed {
				t.add(ps, f.Closed, pr.draws)
			}
		}
		for _, team := range slices.Sorted(maps.Keys(totals)) {
			base := Point{PeriodStart: p.Start, AsOfPoint: pt.Name, AsOf: at, Team: team}
			teams = append(teams, totals[team].points(base, m.levels(p, at))...)
		}
	}
	return reps, teams, nil
}

// teamTotal is one team's forecasts at one moment: each method's rep points summed, the combined
// forecast's draws summed, and what the team won.
type teamTotal struct {
	values map[string]float64 // each method's forecast summed over the listed reps
	closed float64            // closed won of the listed reps, each rounded to cents as a forecast row is
	draws  []float64
	actual float64 // won in the period by every rep of the team, listed or not
}

// add adds a listed rep's points of every method and draws.
func (t *teamTotal) add(ps []Point, closed float64, draws []float64) {
	for _, p := range ps {
		t.values[p.Method] += p.Forecast
	}
	t.closed += math.Round(closed*100) / 100
	if t.draws == nil {
		t.draws = make([]float64, len(draws))
	}
	for i, v := range draws {
		t.draws[i] += v
	}
}

// points returns the team's point of every method: the combined forecast's from the summed draws, as
// the live forecast's team row gives it, the others the sum of their rep points.
func (t *teamTotal) points(base Point, prm params) []Point {
	out := make([]Point, 0, len(Methods()))
	for _, method := range Methods() {
		p := base
		p.Method, p.Actual = method, t.actual
		p.Forecast = t.values[method]
		p.Low, p.High = p.Forecast, p.Forecast
		if method == MethodSalesrecipe && len(t.draws) > 0 {
			p.Forecast, p.Low, p.High = total(prm, t.closed, p.Forecast, t.draws)
		}
		out = append(out, p)
	}
	return out
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

// ScorePoints computes every method's scores per as-of point (rep WAPE, bias and the combined
// forecast's interval coverage over the rep points; team WAPE and the combined forecast's team
// interval coverage over the team points, nil without any), in method then point order; callers may
// pass any subset of a backtest's points.
func ScorePoints(reps, teams []Point, order []string) []Score {
	type key struct{ method, point string }
	score := func(points []Point) map[key]*accuracy {
		out := map[key]*accuracy{}
		for _, p := range points { // in the backtest's order, so the sums do not vary between runs
			k := key{p.Method, p.AsOfPoint}
			if out[k] == nil {
				out[k] = &accuracy{}
			}
			out[k].add(p.Forecast, p.Actual)
			if p.Actual >= p.Low && p.Actual <= p.High {
				out[k].in++
			}
		}
		return out
	}
	byRep, byTeam := score(reps), score(teams)
	var out []Score
	for _, method := range Methods() {
		for _, pt := range order {
			k := key{method, pt}
			a := byRep[k]
			if a == nil {
				continue
			}
			s := Score{Method: method, AsOfPoint: pt, RepWAPE: round4(a.wape()), Bias: round4(a.bias()), Forecasts: int(a.n)}
			t := byTeam[k]
			if t != nil {
				s.TeamWAPE = ptrTo(round4(t.wape()))
			}
			if method == MethodSalesrecipe {
				s.IntervalCoverage = coverage(a)
				if t != nil {
					s.TeamIntervalCoverage = coverage(t)
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// coverage returns the share of outcomes inside their intervals, rounded to four decimals; nil without any.
func coverage(a *accuracy) *float64 {
	r := Ratio(a.in, a.n)
	if r != nil {
		*r = round4(*r)
	}
	return r
}

// ptrTo returns a pointer to v.
func ptrTo(v float64) *float64 { return &v }

// round4 rounds to four decimals.
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
