package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Source computes the snapshots the collector serves; the refresh calls it, never a scrape.
type Source interface {
	// Firms lists the firms to expose.
	Firms(ctx context.Context) ([]string, error)
	// Snapshot computes one firm's values for the period containing now.
	Snapshot(ctx context.Context, firm string, now time.Time) (Snapshot, error)
}

// Config wires a Metrics.
type Config struct {
	// Registerer receives every metric; required.
	Registerer prometheus.Registerer
	// Source computes the snapshots; nil serves only the ingest and HTTP metrics.
	Source Source
	// Interval is the time between refreshes; default 1 minute.
	Interval time.Duration
	// Timeout bounds one refresh; default the interval.
	Timeout time.Duration
	// PerRep exposes the per-rep series; false keeps only team and firm series.
	PerRep bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives refresh failures; nil discards them.
	Logger *slog.Logger
}

// Metrics is the Prometheus collector of salesrecipe and the instruments it feeds.
type Metrics struct {
	cfg   Config
	descs descs

	mu        sync.RWMutex
	firms     map[string]*firmState
	refreshed time.Duration
	ingest    map[ingestKey]time.Time
	// fitTook is how long each firm's last background refit took.
	fitTook map[string]time.Duration

	refreshErrors *prometheus.CounterVec
	ingestRows    *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	saveFailures  *prometheus.CounterVec
	refits        *prometheus.CounterVec
}

// firmState is what the last refreshes left for one firm.
type firmState struct {
	snap        Snapshot
	up          bool
	lastSuccess time.Time
}

// ingestKey names one firm's kind of rows.
type ingestKey struct{ firm, kind string }

// New registers the collector and its instruments on cfg.Registerer.
func New(cfg Config) (*Metrics, error) {
	if cfg.Registerer == nil {
		return nil, errors.New("metrics: a Registerer is required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = cfg.Interval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		cfg:     cfg,
		descs:   newDescs(),
		firms:   map[string]*firmState{},
		ingest:  map[ingestKey]time.Time{},
		fitTook: map[string]time.Duration{},
		refreshErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesrecipe_refresh_errors_total",
			Help: "Refreshes of a firm's metric values that failed; the previous values stay served.",
		}, []string{"firm"}),
		ingestRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesrecipe_ingest_rows_total",
			Help: "Rows received by the ingest API by outcome: loaded, duplicate, rejected (invalid) or failed (in a load that stored nothing).",
		}, []string{"firm", "kind", "outcome"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "salesrecipe_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by route pattern and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "code"}),
		saveFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesrecipe_optional_save_failures_total",
			Help: "Writes a read does on the side (what: snapshot, recipe) that failed; the answer was served without them.",
		}, []string{"what"}),
		refits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesrecipe_refits_total",
			Help: "Background refits of a firm's recipe and combination by result: success or failure.",
		}, []string{"firm", "result"}),
	}
	for _, c := range []prometheus.Collector{m.refreshErrors, m.ingestRows, m.httpDuration, m.saveFailures, m.refits, collector{m}} {
		if err := cfg.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: register: %w", err)
		}
	}
	return m, nil
}

// Run refreshes the values now and then every interval until ctx ends.
func (m *Metrics) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
		if err := m.Refresh(rctx); err != nil && ctx.Err() == nil {
			m.cfg.Logger.WarnContext(ctx, "metrics refresh failed; serving the previous values", "err", err)
		}
		cancel()
		t.Reset(m.cfg.Interval)
	}
}

// Refresh recomputes every firm's snapshot; a firm whose refresh fails keeps its previous values.
func (m *Metrics) Refresh(ctx context.Context) error {
	if m.cfg.Source == nil {
		return nil
	}
	start := m.cfg.Now()
	firms, err := m.cfg.Source.Firms(ctx)
	if err != nil {
		m.failAll()
		return fmt.Errorf("list firms: %w", err)
	}
	type result struct {
		snap Snapshot
		err  error
	}
	results := make(map[string]result, len(firms))
	var errs []error
	for _, firm := range firms {
		snap, err := m.cfg.Source.Snapshot(ctx, firm, start)
		if err == nil {
			err = checkSnapshot(snap, firm)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("firm %s: %w", firm, err))
		}
		results[firm] = result{snap, err}
	}
	done := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	next := make(map[string]*firmState, len(firms))
	for firm, r := range results {
		st := m.firms[firm]
		if st == nil {
			st = &firmState{}
		}
		if r.err != nil {
			st.up = false
			m.refreshErrors.WithLabelValues(firm).Inc()
		} else {
			st.snap, st.up, st.lastSuccess = r.snap, true, done
		}
		next[firm] = st
	}
	m.firms = next
	m.refreshed = done.Sub(start)
	return errors.Join(errs...)
}

// checkSnapshot validates a snapshot computed for firm.
func checkSnapshot(s Snapshot, firm string) error {
	if s.Firm != firm {
		return fmt.Errorf("source answered firm %q", s.Firm)
	}
	return s.Validate()
}

// failAll marks every known firm's refresh as failed.
func (m *Metrics) failAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for firm, st := range m.firms {
		st.up = false
		m.refreshErrors.WithLabelValues(firm).Inc()
	}
}
