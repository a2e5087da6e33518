package dashboards

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
)

// backtestPoints are the as-of moments each backtested period is forecast at.
const backtestPoints = 3

// backtestRequest is the backtest behind a selection: the last complete
// periods before the as-of time's period, of the selected grain.
func (s *Server) backtestRequest(firm string, q params) forecast.BacktestRequest {
	last := salesrecipe.NewPeriod(q.period.Grain, q.asOf).Prev()
	first := last
	for range s.cfg.BacktestPeriods - 1 {
		first = first.Prev()
	}
	return forecast.BacktestRequest{Firm: firm, From: first, To: last, Points: forecast.DefaultPoints(backtestPoints)}
}

// errBacktestRunning is the answer while a backtest runs longer than a request waits.
var errBacktestRunning = errors.New("the backtest is running")

// backtestHorizon is the moment whose knowledge a selection's backtest scores
// against: the end of the as-of day, or now when that is later. Every as_of
// of one day shares one backtest.
func (s *Server) backtestHorizon(q params) time.Time {
	end := q.asOf.UTC().Truncate(24 * time.Hour).Add(24*time.Hour - time.Millisecond)
	if now := s.cfg.Now().UTC().Truncate(s.cfg.Freshness); now.Before(end) {
		return now
	}
	return end
}

// firmBacktest returns the firm's backtest for a selection. Backtests refit at
// every as-of point, so they run in the background (a bounded number per firm,
// see backtests), are kept for hours, and a request waits for one at most
// BacktestWait before hearing it is running.
func (s *Server) firmBacktest(ctx context.Context, firm string, q params) (*forecast.Backtest, error) {
	br := s.backtestRequest(firm, q)
	horizon := s.backtestHorizon(q)
	key := fmt.Sprintf("backtest\x00%s\x00%s\x00%s\x00%s", firm, br.From, br.To, horizon.Format(time.DateOnly))
	if v, ok := s.cache.lookup(key); ok {
		return v.(*forecast.Backtest), nil
	}
	return s.jobs.run(ctx, firm, key, s.cfg.BacktestWait, func(ctx context.Context) (*forecast.Backtest, error) {
		bt, err := s.runBacktest(ctx, br, horizon)
		if err == nil {
			s.cache.put(key, bt, 6*time.Hour)
		}
		return bt, err
	})
}

// storeBacktest runs a backtest on the store with the outcomes known at horizon.
func (s *Server) storeBacktest(ctx context.Context, br forecast.BacktestRequest, horizon time.Time) (*forecast.Backtest, error) {
	b := &forecast.Backtester{Store: s.cfg.Store, Now: func() time.Time { return horizon }}
	return b.Run(ctx, br)
}

// backtestView is a backtest cut down to the reps the viewer sees, rescored over them.
func backtestView(bt *forecast.Backtest, who *viewer) *forecast.Backtest {
	out := &forecast.Backtest{Firm: bt.Firm, Periods: bt.Periods, Notes: bt.Notes, Methods: []forecast.Score{}}
	for _, p := range bt.Points {
		if who.seesRep(p.RepID, p.Team) {
			out.Points = append(out.Points, p)
		}
	}
	for _, p := range bt.Teams {
		if who.seesTeam(p.Team) {
			out.Teams = append(out.Teams, p)
		}
	}
	switch {
	case who.seesFirm() && bt.Methods != nil:
		out.Methods = bt.Methods
	case !who.seesFirm():
		out.Methods = append(out.Methods, forecast.ScorePoints(out.Points, out.Teams, pointOrder(bt))...)
	}
	return out
}

// pointOrder lists the as-of point names in the order the scores give them.
func pointOrder(bt *forecast.Backtest) []string {
	var names []string
	for _, s := range bt.Methods {
		if !slices.Contains(names, s.AsOfPoint) {
			names = append(names, s.AsOfPoint)
		}
	}
	return names
}

// accuracyPage shows the backtest per method, forecast vs actual over past periods, and bias.
func (s *Server) accuracyPage(ctx context.Context, req *request) (*page, error) {
	br := s.backtestRequest(req.firm, req.q)
	pg := &page{Title: "Accuracy", Subtitle: fmt.Sprintf("Rolling-origin backtest of %s to %s (%s each), refitted on the data known at each moment; %s",
		br.From, br.To, req.q.period.Grain, scopeLabel(req.who))}
	full, err := s.firmBacktest(ctx, req.firm, req.q)
	if errors.Is(err, errBacktestRunning) {
		pg.Notes = append(pg.Notes, "The backtest is running in the background (it refits the recipe at every as-of moment of every period); reload this page in a minute.")
		pg.partial = true
		return pg, nil
	}
	if err != nil {
		return nil, err
	}
	bt := backtestView(full, req.who)
	if err := s.scoreCalls(ctx, req, bt); err != nil {
		return nil, err
	}
	pg.Notes = append(pg.Notes, bt.Notes...)
	pg.Tiles = accuracyTiles(bt)
	for _, b := range []func(*forecast.Backtest, salesrecipe.Grain) (section, error){methodsSection, actualsSection} {
		sec, err := b(bt, req.q.period.Grain)
		if err != nil {
			return nil, err
		}
		pg.Sections = append(pg.Sections, sec)
	}
	calls, err := s.callScoresSection(ctx, req, bt)
	if err != nil {
		return nil, err
	}
	pg.Sections = append(pg.Sections, calls)
	return pg, nil
}

// scoreOf finds one method's score at one as-of point.
func scoreOf(bt *forecast.Backtest, method, point string) (forecast.Score, bool) {
	for _, s := range bt.Methods {
		if s.Method == method && s.AsOfPoint == point {
			return s, true
		}
	}
	return forecast.Score{}, false
}

// accuracyTiles compare salesrecipe with the best baseline at the middle as-of point.
func accuracyTiles(bt *forecast.Backtest) []tile {
	order := pointOrder(bt)
	if len(order) == 0 {
		return nil
	}
	pt := order[len(order)/2]
	own, ok := scoreOf(bt, forecast.MethodSalesrecipe, pt)
	if !ok {
		return nil
	}
	best, bestName := math.Inf(1), ""
	for _, b := range forecast.Baselines() {
		if s, ok := scoreOf(bt, b, pt); ok && s.RepWAPE < best {
			best, bestName = s.RepWAPE, b
		}
	}
	tiles := []tile{
		{Label: "Rep error (WAPE) at " + pt, Value: formatNumber(100*own.RepWAPE, 1) + "%", Sub: "salesrecipe; lower is better", Tone: tone(own.RepWAPE <= best)},
		{Label: "Best baseline at " + pt, Value: formatNumber(100*best, 1) + "%", Sub: bestName},
		{Label: "Bias at " + pt, Value: signedPct(own.Bias), Sub: "sum(F − A) / sum(A)"},
		{Label: "Periods", Value: strconv.Itoa(bt.Periods), Sub: strconv.Itoa(own.Forecasts) + " rep forecasts per method and moment"},
	}
	if own.IntervalCoverage != nil {
		tiles = append(tiles, tile{Label: "80% interval coverage", Value: pctText(own.IntervalCoverage), Sub: "share of outcomes inside; target 80%",
			Tone: tone(math.Abs(*own.IntervalCoverage-0.8) <= 0.1)})
	}
	return tiles
}

// signedPct renders a ratio as a signed percentage.
func signedPct(v float64) string {
	s := formatNumber(100*v, 1) + "%"
	if v > 0 {
		return "+" + s
	}
	return s
}

// methodsSection is the backtest per method and as-of point.
func methodsSection(bt *forecast.Backtest, _ salesrecipe.Grain) (section, error) {
	t := &table{ID: "methods", Columns: []column{{Label: "Method"}, {Label: "As of"}, {Label: "Rep WAPE", Num: true}, {Label: "Team WAPE", Num: true},
		{Label: "Bias", Num: true}, {Label: "Interval coverage", Num: true}, {Label: "Team interval coverage", Num: true}, {Label: "Forecasts", Num: true}}}
	order := pointOrder(bt)
	var ss []series
	for _, pt := range order {
		var v []float64
		for _, m := range forecast.Methods() {
			s, ok := scoreOf(bt, m, pt)
			if !ok {
				v = append(v, math.NaN())
				continue
			}
			v = append(v, 100*s.RepWAPE)
		}
		ss = append(ss, series{name: "as of " + pt, kind: types.ChartBar, values: v})
	}
	for _, s := range bt.Methods {
		t.Rows = append(t.Rows, []cell{textCell(s.Method), textCell(s.AsOfPoint), pctCell(ptr(s.RepWAPE)), pctCell(s.TeamWAPE),
			pctCell(ptr(s.Bias)), pctCell(s.IntervalCoverage), pctCell(s.TeamIntervalCoverage), numCell(float64(s.Forecasts), 0)})
	}
	c, err := categoryChart("methods", "Rep-level error of each method at each as-of moment", "WAPE %", forecast.Methods(), ss)
	note := "salesrecipe is the combined forecast; recipe_only and pipeline_only are its parts; last_period, run_rate and stage_weighted are the baselines it must beat. " +
		"Team WAPE and team interval coverage score each team's forecast as its team row showed it (the middle and 80% interval of the reps' summed outcomes); a dash where you see no whole team."
	return section{ID: "methods", Title: "Backtest by method", Note: note, Chart: c, Table: t}, err
}

// actualsSection is the combined forecast against what was won, per period and as-of point.
func actualsSection(bt *forecast.Backtest, grain salesrecipe.Grain) (section, error) {
	type key struct {
		period time.Time
		point  string
	}
	agg := map[key]*[4]float64{} // forecast, low, high, actual
	periods := map[time.Time]bool{}
	for _, p := range bt.Points {
		if p.Method != forecast.MethodSalesrecipe {
			continue
		}
		k := key{p.PeriodStart, p.AsOfPoint}
		if agg[k] == nil {
			agg[k] = &[4]float64{}
		}
		a := agg[k]
		a[0], a[1], a[2], a[3] = a[0]+p.Forecast, a[1]+p.Low, a[2]+p.High, a[3]+p.Actual
		periods[p.PeriodStart] = true
	}
	starts := make([]time.Time, 0, len(periods))
	for p := range periods {
		starts = append(starts, p)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	t := &table{ID: "actuals", Columns: []column{{Label: "Period"}, {Label: "As of"}, {Label: "Forecast", Num: true}, {Label: "Sum of rep lows", Num: true},
		{Label: "Sum of rep highs", Num: true}, {Label: "Actual", Num: true}, {Label: "Error", Num: true}}}
	order := pointOrder(bt)
	var x []string
	actual := make([]float64, len(starts))
	byPoint := make([][]float64, len(order))
	for i, st := range starts {
		label := salesrecipe.Period{Grain: grain, Start: st}.String()
		x = append(x, label)
		for j, pt := range order {
			a := agg[key{st, pt}]
			if a == nil {
				byPoint[j] = append(byPoint[j], math.NaN())
				continue
			}
			actual[i] = a[3]
			byPoint[j] = append(byPoint[j], a[0])
			e := roundRatio(forecast.Ratio(a[0]-a[3], a[3]))
			t.Rows = append(t.Rows, []cell{textCell(label), textCell(pt), moneyCell(a[0]), moneyCell(a[1]), moneyCell(a[2]), moneyCell(a[3]), pctCell(e)})
		}
	}
	ss := []series{{name: "Actual", kind: types.ChartBar, values: actual, color: colClosed}}
	for j, pt := range order {
		ss = append(ss, series{name: "Forecast as of " + pt, kind: types.ChartLine, values: byPoint[j]})
	}
	c, err := categoryChart("actuals", "The combined forecast at each as-of moment against what was won, per period", "amount", x, ss)
	note := "Sums over the reps in view. Error = (forecast − actual) / actual: positive is over-forecast (bias)."
	return section{ID: "actuals", Title: "Forecast vs actual", Note: note, Chart: c, Table: t}, err
}

// backtestAPI is the backtest in the CLI's JSON form, over the reps the caller sees.
func (s *Server) backtestAPI(ctx context.Context, req *request) (any, error) {
	bt, err := s.firmBacktest(ctx, req.firm, req.q)
	if errors.Is(err, errBacktestRunning) {
		return nil, &httpError{code: http.StatusServiceUnavailable, msg: "the backtest is running; retry in a minute", retryAfter: 60}
	}
	if err != nil {
		return nil, err
	}
	v := backtestView(bt, req.who)
	if err := s.scoreCalls(ctx, req, v); err != nil {
		return nil, err
	}
	return v, nil
}
