package metrics

import (
	"cmp"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/salesrecipe/salesrecipe/ingest"
)

// rowGauge is one gauge of the rep and team rows.
type rowGauge struct {
	name, help string
	value      func(Row) float64
}

// newRowGauges lists the per-rep and per-team gauges; each exists as salesrecipe_rep_NAME and salesrecipe_team_NAME.
func newRowGauges() []rowGauge {
	return []rowGauge{
		{"forecast", "Forecast of won revenue in the current period, in the firm's currency unit.", func(r Row) float64 { return r.Forecast }},
		{"forecast_low", "Lower bound of the forecast interval, in the firm's currency unit.", func(r Row) float64 { return r.Low }},
		{"forecast_high", "Upper bound of the forecast interval, in the firm's currency unit.", func(r Row) float64 { return r.High }},
		{"forecast_from_pipeline", "Part of the forecast owed to deals open now (closed_won + forecast_from_pipeline + forecast_from_new_business = forecast), in the firm's currency unit.", func(r Row) float64 { return r.FromPipeline }},
		{"forecast_from_new_business", "Part of the forecast owed to deals not yet open, the recipe's new business, in the firm's currency unit.", func(r Row) float64 { return r.FromNewBusiness }},
		{"quota", "Quota of the current period, in the firm's currency unit.", func(r Row) float64 { return r.Quota }},
		{"closed_won", "Revenue won so far in the current period, in the firm's currency unit.", func(r Row) float64 { return r.ClosedWon }},
		{"pipeline_open", "Open pipeline expected to close in the current period, in the firm's currency unit.", func(r Row) float64 { return r.PipelineOpen }},
		{"pipeline_weighted", "Open pipeline weighted by each deal's chance to close in the current period, in the firm's currency unit.", func(r Row) float64 { return r.PipelineWeighted }},
		{"coverage_ratio", "Open pipeline over remaining quota (quota minus closed won); absent once the quota is met.", Row.Coverage},
		{"required_coverage_ratio", "Coverage the pipeline's learned in-period conversion calls for; absent when unknown.", func(r Row) float64 { return r.RequiredCoverage }},
		{"forecast_attainment_ratio", "Forecast over quota; absent without a quota.", Row.Attainment},
		{"shortfall", "Quota minus forecast, floored at 0, in the firm's currency unit.", Row.Shortfall},
		{"call_commit", "Commit of the latest forecast call for the current period (a rep's own; a team's by its manager), in the firm's currency unit; absent without a call.",
			func(r Row) float64 { return r.callValue(func(c Call) float64 { return c.Commit }) }},
		{"call_best_case", "Best case of the latest forecast call for the current period, in the firm's currency unit; absent without a call.",
			func(r Row) float64 { return r.callValue(func(c Call) float64 { return c.BestCase }) }},
		{"call_last_submission_timestamp_seconds", "When the latest forecast call for the current period was submitted; 0 means none yet.", Row.CallSubmitted},
	}
}

// descs holds the collector's descriptors.
type descs struct {
	rows                             []rowGauge
	rep, team                        []*prometheus.Desc
	firmInfo, periodStart, periodEnd *prometheus.Desc
	cvWAPE, fitDuration, lastFit     *prometheus.Desc
	lastForecast, lastIngest         *prometheus.Desc
	up, lastRefresh, refreshTime     *prometheus.Desc
}

// newDescs builds every descriptor the collector emits.
func newDescs() descs {
	firm := []string{"firm"}
	d := descs{
		rows:         newRowGauges(),
		firmInfo:     prometheus.NewDesc("salesrecipe_firm_info", "A firm served, with its currency unit and current period.", []string{"firm", "currency", "period"}, nil),
		periodStart:  prometheus.NewDesc("salesrecipe_period_start_timestamp_seconds", "Start of the firm's current period.", firm, nil),
		periodEnd:    prometheus.NewDesc("salesrecipe_period_end_timestamp_seconds", "End (exclusive) of the firm's current period.", firm, nil),
		cvWAPE:       prometheus.NewDesc("salesrecipe_recipe_cv_wape_ratio", "Cross-validated WAPE of the firm's recipe (weighted absolute percentage error, as a fraction).", firm, nil),
		fitDuration:  prometheus.NewDesc("salesrecipe_recipe_fit_duration_seconds", "Duration of the firm's last recipe fit.", firm, nil),
		lastFit:      prometheus.NewDesc("salesrecipe_fit_last_success_timestamp_seconds", "Last successful recipe fit of the firm; 0 means never.", firm, nil),
		lastForecast: prometheus.NewDesc("salesrecipe_forecast_last_success_timestamp_seconds", "Last successful forecast of the firm; 0 means never.", firm, nil),
		lastIngest:   prometheus.NewDesc("salesrecipe_ingest_last_success_timestamp_seconds", "Latest successful load of the kind of rows for the firm; 0 means never.", []string{"firm", "kind"}, nil),
		up:           prometheus.NewDesc("salesrecipe_refresh_up", "1 when the last refresh of the firm's values succeeded, 0 when it failed and the previous values are served.", firm, nil),
		lastRefresh:  prometheus.NewDesc("salesrecipe_refresh_last_success_timestamp_seconds", "Last successful refresh of the firm's values.", firm, nil),
		refreshTime:  prometheus.NewDesc("salesrecipe_refresh_duration_seconds", "Duration of the last refresh of every firm's values.", nil, nil),
	}
	for _, g := range d.rows {
		d.rep = append(d.rep, prometheus.NewDesc("salesrecipe_rep_"+g.name, g.help, []string{"firm", "team", "rep"}, nil))
		d.team = append(d.team, prometheus.NewDesc("salesrecipe_team_"+g.name, g.help, []string{"firm", "team"}, nil))
	}
	return d
}

// collector emits the cached values; it never calls the Source.
type collector struct{ m *Metrics }

// Describe sends every descriptor the collector can emit.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	d := &c.m.descs
	for i := range d.rows {
		ch <- d.rep[i]
		ch <- d.team[i]
	}
	for _, x := range []*prometheus.Desc{d.firmInfo, d.periodStart, d.periodEnd, d.cvWAPE, d.fitDuration,
		d.lastFit, d.lastForecast, d.lastIngest, d.up, d.lastRefresh, d.refreshTime} {
		ch <- x
	}
}

// Collect emits the cached snapshot of every firm.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	m, d := c.m, &c.m.descs
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.refreshed > 0 {
		ch <- gauge(d.refreshTime, m.refreshed.Seconds())
	}
	for firm, st := range m.firms {
		ch <- gauge(d.up, boolValue(st.up), firm)
		if st.snap.Firm == "" {
			continue // no refresh of this firm has succeeded yet
		}
		ch <- gauge(d.lastRefresh, unix(st.lastSuccess), firm)
		s := st.snap
		if m.cfg.PerRep {
			for _, r := range s.Reps {
				emitRow(ch, d.rows, d.rep, r, firm, r.Team, r.Rep)
			}
		}
		for _, r := range s.Teams {
			emitRow(ch, d.rows, d.team, r, firm, r.Team)
		}
		m.emitFirm(ch, s)
	}
}

// emitFirm emits one firm's period, recipe and freshness values.
func (m *Metrics) emitFirm(ch chan<- prometheus.Metric, s Snapshot) {
	d := &m.descs
	ch <- gauge(d.firmInfo, 1, s.Firm, s.Currency, s.Period.String())
	ch <- gauge(d.periodStart, unix(s.Period.Start), s.Firm)
	ch <- gauge(d.periodEnd, unix(s.Period.End()), s.Firm)
	if !math.IsNaN(s.RecipeCVWAPE) {
		ch <- gauge(d.cvWAPE, s.RecipeCVWAPE, s.Firm)
	}
	if took := cmp.Or(s.FitDuration, m.fitTook[s.Firm]); took > 0 {
		ch <- gauge(d.fitDuration, took.Seconds(), s.Firm)
	}
	ch <- gauge(d.lastFit, unix(s.LastFit), s.Firm)
	ch <- gauge(d.lastForecast, unix(s.LastForecast), s.Firm)
	for _, kind := range ingest.Kinds() {
		last := s.LastIngest[string(kind)]
		if t := m.ingest[ingestKey{s.Firm, string(kind)}]; t.After(last) {
			last = t
		}
		ch <- gauge(d.lastIngest, unix(last), s.Firm, string(kind))
	}
}

// emitRow emits every row gauge with a defined value.
func emitRow(ch chan<- prometheus.Metric, rows []rowGauge, descs []*prometheus.Desc, r Row, labels ...string) {
	for i, g := range rows {
		if v := g.value(r); !math.IsNaN(v) {
			ch <- gauge(descs[i], v, labels...)
		}
	}
}

// gauge builds a constant gauge.
func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// unix is t in seconds since the epoch, 0 for the zero time.
func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// boolValue is 1 for true.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
