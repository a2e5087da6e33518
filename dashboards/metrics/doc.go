// Package metrics exposes salesrecipe to Prometheus: per rep and per team
// forecasts, quotas, pipeline, coverage and shortfall for the current period,
// each firm's recipe accuracy and freshness, ingest row counters and HTTP
// request durations.
//
// Values read from ClickHouse are computed by a background refresh (Run) from a
// Source and cached, so a scrape never waits on the store; a failed refresh
// keeps the last values and says so in salesrecipe_refresh_up. Everything is
// registered on an injected prometheus.Registerer and timed by an injected
// clock; the package holds no global state.
//
// Money gauges are in the firm's currency unit (salesrecipe_firm_info names
// it); ratios are plain fractions (1 means 100%), and coverage and attainment
// may exceed 1.
package metrics
