package dashboards

import (
	"context"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// requiredCoverageRule is the rule-of-thumb coverage drawn on coverage charts.
const requiredCoverageRule = 3

// coverageAxisMax is where the coverage chart's axis stops when a rep is far above it.
const coverageAxisMax = 12

// nanToZero returns *v, or 0 when v is nil.
func nanToZero(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// teamPage shows the period for a manager: tiles, the per-rep forecast, coverage, the table and the trend.
func (s *Server) teamPage(ctx context.Context, req *request) (*page, error) {
	fc, err := s.firmForecast(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	v := viewOf(fc, req.who)
	pg := &page{Title: "Team", Subtitle: fmt.Sprintf("%s, as of %s, %s (%d reps)", req.q.period, asOfLabel(req.q.asOf), v.TotalLabel, len(v.Reps))}
	pg.Notes = append(pg.Notes, v.Notes...)
	pg.Tiles = moneyTiles(v.FirmTotal.Money)
	trend, err := s.trend(ctx, req)
	if err != nil {
		return nil, err
	}
	builders := []func() (section, error){
		func() (section, error) { return repForecastSection(v) },
		func() (section, error) { return coverageSection(v) },
		func() (section, error) { return repTableSection(v), nil },
		func() (section, error) { return teamTableSection(v), nil },
		func() (section, error) { return s.teamCallsSection(ctx, req) },
		func() (section, error) { return trendSection(trend, req) },
	}
	for _, b := range builders {
		sec, err := b()
		if err != nil {
			return nil, err
		}
		if sec.ID != "" {
			pg.Sections = append(pg.Sections, sec)
		}
	}
	return pg, nil
}

// moneyTiles are the headline numbers of a total: forecast vs quota, closed, pipeline, coverage.
func moneyTiles(m forecast.Money) []tile {
	fcTile := tile{Label: "Forecast", Value: formatMoney(m.Forecast), Sub: "80%: " + formatMoney(m.Low) + " – " + formatMoney(m.High)}
	if m.Quota != nil {
		fcTile.Label = "Forecast vs quota " + formatMoney(*m.Quota)
		fcTile.Sub = pctText(m.Attainment) + " of quota; 80%: " + formatMoney(m.Low) + " – " + formatMoney(m.High)
		fcTile.Tone = tone(m.Attainment != nil && *m.Attainment >= 1)
	}
	closed := tile{Label: "Closed won", Value: formatMoney(m.ClosedWon)}
	if m.Quota != nil && *m.Quota > 0 {
		closed.Sub = pctText(ptr(m.ClosedWon/(*m.Quota))) + " of quota"
	}
	pipe := tile{Label: "Open pipeline in period", Value: formatMoney(m.PipelineOpen),
		Sub: "forecast = closed " + formatMoney(m.ClosedWon) + " + pipeline " + formatMoney(m.FromPipeline) + " + new business " + formatMoney(m.FromNewBusiness)}
	cov := tile{Label: "Coverage", Value: timesText(m.Coverage), Sub: "needs " + timesText(m.RequiredCoverage) + " at the learned conversion"}
	if m.Coverage != nil && m.RequiredCoverage != nil {
		cov.Tone = tone(*m.Coverage >= *m.RequiredCoverage)
	}
	return []tile{fcTile, closed, pipe, cov}
}

// tone is "good" or "bad".
func tone(good bool) string {
	if good {
		return "good"
	}
	return "bad"
}

// pctText renders a ratio as a percentage, or a dash.
func pctText(v *float64) string { return pctCell(v).Text }

// timesText renders a multiple such as 3.1×, or a dash.
func timesText(v *float64) string { return timesCell(v).Text }

// repForecastSection is the per-rep chart of closed won, forecast with interval, and quota.
func repForecastSection(v *view) (section, error) {
	var x []string
	var closed, fcst, lo, hi, quota []float64
	for _, r := range v.Reps {
		x = append(x, r.Name)
		closed, fcst = append(closed, r.ClosedWon), append(fcst, r.Forecast)
		lo, hi, quota = append(lo, r.Low), append(hi, r.High), append(quota, nanIfNil(r.Quota))
	}
	ss := []series{
		{name: "Closed won", kind: types.ChartBar, values: closed, color: colClosed},
		{name: "Forecast", kind: types.ChartScatter, values: fcst, color: colForecast},
	}
	ss = append(ss, interval("80%", lo, hi)...)
	ss = append(ss, series{name: "Quota", kind: types.ChartLine, values: quota, color: colQuota, dashed: true, step: true, noSymbol: true})
	c, err := categoryChart("rep-forecast", "Closed won, forecast with its 80% interval, and quota per rep", "amount", x, ss)
	return section{ID: "rep-forecast", Title: "Forecast by rep", Note: "Bars: closed won; diamonds: forecast; marks: 80% interval; dashed: quota. The table below has every number.", Chart: c}, err
}

// coverageSection is each rep's coverage against 3x and their own required coverage.
func coverageSection(v *view) (section, error) {
	var x []string
	var cov, req []float64
	top := 0.0
	for _, r := range v.Reps {
		x = append(x, r.Name)
		cov, req = append(cov, nanIfNil(r.Coverage)), append(req, nanIfNil(r.RequiredCoverage))
		top = max(top, nanToZero(r.Coverage), nanToZero(r.RequiredCoverage))
	}
	note := "Coverage = open pipeline in the period / (quota − closed won). Required coverage = open pipeline / its learned in-period win value: what this rep's pipeline converts at."
	var o []chartOption
	if top > coverageAxisMax {
		o = append(o, yMax(coverageAxisMax))
		note += fmt.Sprintf(" The axis stops at %d×; the table has the larger values.", coverageAxisMax)
	}
	c, err := categoryChart("coverage", "Pipeline coverage per rep against the 3x rule and each rep's required coverage", "×", x, []series{
		{name: "Coverage", kind: types.ChartBar, values: cov, color: colPipeline, markY: []markLine{{name: "3×", value: requiredCoverageRule}}},
		{name: "Required coverage", kind: types.ChartLine, values: req, color: colRequired, cap: true},
	}, o...)
	return section{ID: "coverage", Title: "Coverage", Note: note, Chart: c}, err
}

// repTableSection is the sortable table of every rep's numbers.
func repTableSection(v *view) section {
	t := &table{ID: "reps", Columns: moneyColumns("Rep", "Team")}
	for _, r := range v.Reps {
		t.Rows = append(t.Rows, append([]cell{linkCell(r.Name, "/reps/"+r.RepID), textCell(r.Team)}, moneyCells(r.Money)...))
	}
	t.Foot = append([]cell{textCell("Total (" + v.TotalLabel + ")"), textCell("")}, moneyCells(v.FirmTotal.Money)...)
	return section{ID: "reps", Title: "Reps", Note: "Click a header to sort.", Table: t}
}

// teamTableSection is the table of team totals, for viewers who see more than one team.
func teamTableSection(v *view) section {
	if len(v.Teams) < 2 {
		return section{}
	}
	t := &table{ID: "teams", Columns: moneyColumns("Team", "Reps")}
	for _, tm := range v.Teams {
		t.Rows = append(t.Rows, append([]cell{textCell(tm.Team), numCell(float64(tm.Reps), 0)}, moneyCells(tm.Money)...))
	}
	return section{ID: "teams", Title: "Teams", Table: t}
}

// moneyColumns are two leading columns and the money columns.
func moneyColumns(a, b string) []column {
	return []column{{Label: a}, {Label: b}, {Label: "Quota", Num: true}, {Label: "Closed won", Num: true}, {Label: "+ Pipeline", Num: true},
		{Label: "+ New business", Num: true}, {Label: "= Forecast", Num: true}, {Label: "80% low", Num: true}, {Label: "80% high", Num: true},
		{Label: "Attainment", Num: true}, {Label: "Gap", Num: true}, {Label: "Open pipeline", Num: true}, {Label: "Coverage", Num: true}, {Label: "Required", Num: true}}
}

// moneyCells are the cells of moneyColumns after the two leading ones: closed won, the pipeline and
// new-business parts and the forecast they add up to, its interval, then the quota's and the pipeline's ratios.
func moneyCells(m forecast.Money) []cell {
	return []cell{optMoneyCell(m.Quota), moneyCell(m.ClosedWon), moneyCell(m.FromPipeline), moneyCell(m.FromNewBusiness), moneyCell(m.Forecast),
		moneyCell(m.Low), moneyCell(m.High), pctCell(m.Attainment), optMoneyCell(m.Gap), moneyCell(m.PipelineOpen), timesCell(m.Coverage), timesCell(m.RequiredCoverage)}
}

// trendSection is the viewer's total forecast over the period, from stored snapshots.
func trendSection(points []trendPoint, req *request) (section, error) {
	t := &table{ID: "trend", Columns: []column{{Label: "As of"}, {Label: "Quota", Num: true}, {Label: "Closed won", Num: true},
		{Label: "From pipeline", Num: true}, {Label: "From new business", Num: true},
		{Label: "Forecast", Num: true}, {Label: "80% low", Num: true}, {Label: "80% high", Num: true}}}
	var x []string
	var closed, pipe, fresh, fcst, lo, hi, quota []float64
	for _, p := range points {
		x = append(x, p.AsOf.Format("Jan 2 15:04"))
		closed, fcst, lo, hi, quota = append(closed, p.ClosedWon), append(fcst, p.Forecast), append(lo, p.Low), append(hi, p.High), append(quota, p.Quota)
		pipe, fresh = append(pipe, p.FromPipeline), append(fresh, p.FromNewBusiness)
		t.Rows = append(t.Rows, []cell{textCell(asOfLabel(p.AsOf)), moneyCell(p.Quota), moneyCell(p.ClosedWon), knownMoneyCell(p.FromPipeline),
			knownMoneyCell(p.FromNewBusiness), moneyCell(p.Forecast), moneyCell(p.Low), moneyCell(p.High)})
	}
	sec := section{ID: "trend", Title: "Forecast over the period", Table: t,
		Note: "From the stored forecast snapshots of " + req.q.period.String() + " (one a day while the dashboards are used, plus every `salesrecipe forecast` run): " +
			"closed won + from pipeline (deals open then) + from new business (deals not yet open then) = forecast; a dash where a snapshot was stored before the split was kept."}
	if len(points) == 0 {
		sec.Note = "No forecast of " + req.q.period.String() + " was stored yet; the dashboards store one a day when they show the current period."
		return sec, nil
	}
	c, err := categoryChart("trend", "The forecast of the period at each stored snapshot, with its interval, closed won and quota", "amount", x, []series{
		{name: "Forecast", kind: types.ChartLine, values: fcst, color: colForecast},
		{name: "80% low", kind: types.ChartLine, values: lo, color: colForecast, dashed: true, noSymbol: true},
		{name: "80% high", kind: types.ChartLine, values: hi, color: colForecast, dashed: true, noSymbol: true},
		{name: "Closed won", kind: types.ChartLine, values: closed, color: colClosed},
		{name: "From pipeline", kind: types.ChartLine, values: pipe, color: colPipeline},
		{name: "From new business", kind: types.ChartLine, values: fresh, color: colMuted},
		{name: "Quota", kind: types.ChartLine, values: quota, color: colQuota, dashed: true, noSymbol: true},
	})
	sec.Chart = c
	return sec, err
}
