package dashboards

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// assetsHost is where go-echarts' script assets are served: the binary's own /assets/ route.
const assetsHost = "/assets/"

// chart is an ECharts option built with go-echarts, rendered by /assets/app.js
// from a JSON data block (no inline script).
type chart struct {
	// ID is unique on its page.
	ID string
	// Label describes the chart for screen readers.
	Label string
	// Option is the ECharts option as JSON, HTML-escaped.
	Option template.JS
	// Tall charts get more height.
	Tall bool
}

// series is one series of a category-axis chart.
type series struct {
	name   string
	kind   string // "bar", "line" or "scatter"
	values []float64
	stack  string
	color  string
	// cap draws a line series as short horizontal marks only: the ends of an interval.
	cap    bool
	dashed bool
	area   bool
	// step draws a line as steps (a quota per category).
	step bool
	// markY draws horizontal lines at these values, named.
	markY []markLine
	// noSymbol draws a line without point markers.
	noSymbol bool
}

// markLine is a named horizontal line.
type markLine struct {
	name  string
	value float64
}

// The palette: closed, forecast, interval, quota, pipeline, required, accent.
const (
	colClosed   = "#2f7d4f"
	colForecast = "#2b5fad"
	colInterval = "rgba(43,95,173,0.28)"
	colQuota    = "#b3261e"
	colPipeline = "#8a5a00"
	colRequired = "#6b3fa0"
	colMuted    = "#7a7a7a"
	colCap      = "#1d1d1f"
)

// chartOption changes a chart before it is rendered.
type chartOption func(*charts.Bar)

// yMax cuts the value axis at max, so one outlier does not flatten every other bar.
func yMax(max float64) chartOption {
	return func(c *charts.Bar) {
		c.YAxisList[0].Max = max
	}
}

// categoryChart builds a chart over categories (reps, kinds, periods, stages) with go-echarts.
func categoryChart(id, label, yName string, x []string, ss []series, options ...chartOption) (*chart, error) {
	c := charts.NewBar()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost, ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "36", Bottom: "44", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: axisLabel(x)}),
		charts.WithYAxisOpts(opts.YAxis{Name: yName, Type: "value", NameLocation: "end"}),
	)
	if len(x) > 40 {
		end := float32(40 * 100 / len(x))
		c.SetGlobalOptions(charts.WithDataZoomOpts(opts.DataZoom{Type: "slider", Start: 0, End: end}, opts.DataZoom{Type: "inside"}))
	}
	for _, o := range options {
		o(c)
	}
	c.SetXAxis(x)
	for _, s := range ss {
		c.MultiSeries = append(c.MultiSeries, s.build())
	}
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", id, err)
	}
	return &chart{ID: id, Label: label, Option: template.JS(b), Tall: len(x) > 12}, nil
}

// axisLabel shows every category label when there are few, turned when they are long.
func axisLabel(x []string) *opts.AxisLabel {
	l := &opts.AxisLabel{HideOverlap: opts.Bool(true)}
	if len(x) > 16 {
		return l
	}
	total := 0
	for _, s := range x {
		total += len(s)
	}
	l.Interval = "0"
	if total > 48 {
		l.Rotate = 30
	}
	return l
}

// build turns the series into a go-echarts series.
func (s series) build() charts.SingleSeries {
	one := charts.SingleSeries{Name: s.name, Type: s.kind}
	switch s.kind {
	case types.ChartBar:
		data := make([]opts.BarData, len(s.values))
		for i, v := range s.values {
			data[i] = opts.BarData{Value: jsonValue(v)}
		}
		one.Data = data
	default:
		data := make([]opts.LineData, len(s.values))
		for i, v := range s.values {
			data[i] = opts.LineData{Value: jsonValue(v)}
		}
		one.Data = data
	}
	var o []charts.SeriesOpts
	if s.stack != "" {
		o = append(o, charts.WithBarChartOpts(opts.BarChart{Stack: s.stack}), charts.WithLineChartOpts(opts.LineChart{Stack: s.stack}))
	}
	if s.color != "" {
		o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: s.color}))
	}
	if s.kind == types.ChartLine {
		ls := opts.LineStyle{Color: s.color, Width: 2}
		if s.dashed {
			ls.Type = "dashed"
		}
		lc := opts.LineChart{Stack: s.stack, ShowSymbol: opts.Bool(!s.noSymbol)}
		if s.step {
			lc.Step = "middle"
		}
		if s.cap {
			ls.Opacity = opts.Float(0)
			lc.Symbol, lc.SymbolSize, lc.ShowSymbol = "rect", []int{18, 3}, opts.Bool(true)
		}
		o = append(o, charts.WithLineStyleOpts(ls), charts.WithLineChartOpts(lc))
		if s.area {
			o = append(o, charts.WithAreaStyleOpts(opts.AreaStyle{Color: s.color, Opacity: opts.Float(0.25)}))
		}
	}
	if s.kind == types.ChartScatter {
		o = append(o, charts.WithScatterChartOpts(opts.ScatterChart{Symbol: "diamond", SymbolSize: 11}))
	}
	for _, m := range s.markY {
		o = append(o, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: m.name, YAxis: m.value}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
				LineStyle: &opts.LineStyle{Color: colQuota, Type: "dashed", Width: 2},
				Label:     &opts.Label{Show: opts.Bool(true), Formatter: m.name}}))
	}
	one.ConfigureSeriesOpts(o...)
	return one
}

// jsonValue maps a missing value (NaN) to ECharts' "-" and rounds the rest to cents.
func jsonValue(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return round2(v)
}

// interval returns the two series that mark an interval's ends, [low, high], per category.
func interval(name string, low, high []float64) []series {
	return []series{
		{name: name + " low", kind: types.ChartLine, values: low, color: colCap, cap: true},
		{name: name + " high", kind: types.ChartLine, values: high, color: colCap, cap: true},
	}
}

// echartsScripts lists the scripts go-echarts says a page of these charts needs, under assetsHost.
func echartsScripts() []string {
	c := charts.NewBar()
	c.SetGlobalOptions(charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}))
	c.Validate()
	return c.GetAssets().JSAssets.Values
}
