package dashboards

import (
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// MetricsHandler serves /metrics to bearer tokens of the users file only: a
// user of role metrics sees the series of its own firm (those with its firm
// label, nothing else), a user of role operator sees everything. Failed tokens
// count against the client like failed sign-ins; users may be nil (then
// nobody is let in). opts are promhttp's options (the error log).
func MetricsHandler(users *Users, gate *Gate, g prometheus.Gatherer, opts promhttp.HandlerOpts) http.Handler {
	all := promhttp.HandlerFor(g, opts)
	return gate.Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := metricsUser(users, r)
		var he *httpError
		switch {
		case errors.As(err, &he):
			if he.code == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="salesrecipe metrics"`)
			}
			http.Error(w, he.msg, he.code)
		case u.Role == RoleOperator:
			all.ServeHTTP(w, r)
		default:
			promhttp.HandlerFor(firmGatherer{g: g, firm: u.Firm}, opts).ServeHTTP(w, r)
		}
	}))
}

// metricsUser returns the user of the request's bearer token when it may read /metrics.
func metricsUser(users *Users, r *http.Request) (*User, error) {
	if users == nil {
		return nil, &httpError{code: http.StatusUnauthorized, msg: "/metrics needs a bearer token of a users file entry with role metrics or operator, and the server has no --users file"}
	}
	u, err := users.Bearer(r)
	if err != nil {
		return nil, &httpError{code: http.StatusUnauthorized, msg: "/metrics needs a bearer token of a users file entry with role metrics or operator"}
	}
	if u.Role != RoleMetrics && u.Role != RoleOperator {
		return nil, &httpError{code: http.StatusForbidden, msg: "only users of role metrics or operator may read /metrics"}
	}
	return u, nil
}

// firmGatherer keeps the series whose firm label is one firm.
type firmGatherer struct {
	g    prometheus.Gatherer
	firm string
}

// Gather returns the underlying gatherer's families cut to the firm's series.
func (f firmGatherer) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := f.g.Gather()
	out := mfs[:0]
	for _, mf := range mfs {
		kept := mf.Metric[:0]
		for _, m := range mf.Metric {
			if labelValue(m, "firm") == f.firm {
				kept = append(kept, m)
			}
		}
		if len(kept) > 0 {
			mf.Metric = kept
			out = append(out, mf)
		}
	}
	return out, err
}

// labelValue returns a metric's label value, "" when it has no such label.
func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
