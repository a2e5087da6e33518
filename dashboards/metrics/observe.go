package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest"
)

// ObserveIngest counts the rows of one finished load by outcome and records a successful load's time.
func (m *Metrics) ObserveIngest(firm string, kind ingest.Kind, res ingest.Result, err error) {
	add := func(outcome string, n int64) {
		if n > 0 {
			m.ingestRows.WithLabelValues(firm, string(kind), outcome).Add(float64(n))
		}
	}
	// Touch every outcome so rates start from zero rather than from the first error.
	for _, o := range []string{"loaded", "duplicate", "rejected", "failed"} {
		m.ingestRows.WithLabelValues(firm, string(kind), o)
	}
	add("rejected", res.Rejected)
	if err != nil {
		add("failed", res.Read-res.Rejected)
		return
	}
	add("loaded", res.Loaded)
	add("duplicate", res.Duplicates)
	now := m.cfg.Now()
	m.mu.Lock()
	m.ingest[ingestKey{firm, string(kind)}] = now
	m.mu.Unlock()
}

// SaveFailed counts an optional write (a forecast snapshot, a recipe) that failed while a read was served.
func (m *Metrics) SaveFailed(what string) {
	m.saveFailures.WithLabelValues(what).Inc()
}

// ObserveRefit counts one background refit of a firm and, when it succeeded, keeps its duration
// for salesrecipe_recipe_fit_duration_seconds.
func (m *Metrics) ObserveRefit(firm string, took time.Duration, err error) {
	result := "success"
	if err != nil {
		result = "failure"
	}
	for _, r := range []string{"success", "failure"} {
		m.refits.WithLabelValues(firm, r)
	}
	m.refits.WithLabelValues(firm, result).Inc()
	if err == nil {
		m.mu.Lock()
		m.fitTook[firm] = took
		m.mu.Unlock()
	}
}

// IngestHandler returns the ingest API handler of cfg with every load observed under its firm;
// cfg's own Observe is still called.
func (m *Metrics) IngestHandler(cfg ingest.HandlerConfig) http.Handler {
	next := cfg.Observe
	cfg.Observe = func(firm string, kind ingest.Kind, res ingest.Result, err error) {
		m.ObserveIngest(firm, kind, res, err)
		if next != nil {
			next(firm, kind, res, err)
		}
	}
	return ingest.NewHandler(cfg)
}

// InstrumentHTTP times every request next serves, labelled by the route pattern the
// http.ServeMux matched ("unmatched" when none) and the status code.
func (m *Metrics) InstrumentHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := m.cfg.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		m.httpDuration.WithLabelValues(route, strconv.Itoa(sw.code)).Observe(m.cfg.Now().Sub(start).Seconds())
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the code and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}
