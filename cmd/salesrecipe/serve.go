package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/singleflight"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/dashboards"
	"github.com/salesrecipe/salesrecipe/dashboards/metrics"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// serveConfig is the configuration of `salesrecipe serve`.
type serveConfig struct {
	store      storeConfig
	addr       string
	chListen   string
	chPassword string
	users      string
	// sessionKey signs the dashboards' session cookies; empty means a random key per process.
	sessionKey string
	// authProxyHeader names the header a trusted reverse proxy sets to the user's e-mail.
	authProxyHeader string
	// trustedProxiesText lists the reverse proxies whose forwarding headers are believed; trustedProxies is it parsed.
	trustedProxiesText string
	trustedProxies     []netip.Prefix
	// metricsAddr, when set, serves /metrics without a token on its own listener.
	metricsAddr string
	// now is the clock; nil means time.Now.
	now func() time.Time
	// metricsRefresh is the time between refreshes of /metrics; 0 means one minute.
	metricsRefresh time.Duration
	// metricsTeamsOnly drops the per-rep series of /metrics.
	metricsTeamsOnly bool
	// refitEvery is the longest time between two background refits of a firm; 0 turns them off.
	refitEvery time.Duration
	// refitDebounce is how long after an API load its firm is refitted.
	refitDebounce time.Duration
	// planMonths and planMultiple are the firm's rules for reps' business plans.
	planMonths   int
	planMultiple float64
}

// timeouts bound how long a connection may take to send a request and stay idle.
type timeouts struct {
	// header bounds the request line and headers.
	header time.Duration
	// read bounds a whole request; the ingest API replaces it by a minimum rate for its bodies.
	read time.Duration
	// idle bounds the wait for the next request on a kept-alive connection.
	idle time.Duration
}

// minRefreshTimeout bounds a refresh of /metrics no tighter than this, however short the interval:
// a firm's first refresh fits its model when none is stored yet, which takes seconds.
const minRefreshTimeout = 2 * time.Minute

// The default timeouts drop slow or silent clients without cutting off real ones.
const (
	defaultHeaderTimeout = 10 * time.Second
	defaultReadTimeout   = time.Minute
	defaultIdleTimeout   = time.Minute
)

// httpServer returns a server of h on addr with the timeouts t (the defaults where zero).
func httpServer(addr string, h http.Handler, t timeouts) *http.Server {
	return &http.Server{Addr: addr, Handler: h,
		ReadHeaderTimeout: cmp.Or(t.header, defaultHeaderTimeout),
		ReadTimeout:       cmp.Or(t.read, defaultReadTimeout),
		IdleTimeout:       cmp.Or(t.idle, defaultIdleTimeout)}
}

// runServe serves HTTP until the context ends, then shuts down gracefully.
func runServe(ctx context.Context, e *env, args []string) error {
	var c serveConfig
	fs := newFlagSet(e, "serve", "serve [--addr HOST:PORT] [--clickhouse-listen HOST:PORT --clickhouse-password P] [store flags]",
		"Serves the dashboards, the JSON API and the health checks /healthz (the process is up) and\n"+
			"/readyz (the store can be read and written: JSON {\"ready\",\"read\",\"write\"}, 503 when not). With the embedded engine, --clickhouse-listen also exposes the engine\n"+
			"over the ClickHouse HTTP interface, so Grafana's ClickHouse data source or another salesrecipe\n"+
			"process (--clickhouse http://default:P@HOST:PORT) can reach it; it requires a password.")
	c.store.register(fs, e.getenv)
	fs.StringVar(&c.addr, "addr", orDefault(e.getenv("SALESRECIPE_ADDR"), "127.0.0.1:8080"), "address to serve HTTP on (env SALESRECIPE_ADDR)")
	fs.StringVar(&c.chListen, "clickhouse-listen", e.getenv("SALESRECIPE_CLICKHOUSE_LISTEN"), "also expose the embedded engine's ClickHouse HTTP interface on this address (env SALESRECIPE_CLICKHOUSE_LISTEN)")
	fs.StringVar(&c.users, "users", e.getenv("SALESRECIPE_USERS"), "users file (YAML) with the tokens of managers, reps and ingest clients (env SALESRECIPE_USERS)")
	fs.StringVar(&c.chPassword, "clickhouse-password", e.getenv("SALESRECIPE_CLICKHOUSE_PASSWORD"), "password of user default on --clickhouse-listen (env SALESRECIPE_CLICKHOUSE_PASSWORD)")
	c.registerDashboards(fs, e)
	if err := c.registerMetrics(fs, e); err != nil {
		return usageErr(e, "serve", "%v", err)
	}
	if err := c.registerPlans(fs, e); err != nil {
		return usageErr(e, "serve", "%v", err)
	}
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := c.check(); err != nil {
		return usageErr(e, "serve", "%v", err)
	}
	log, err := c.store.logger(e.stderr)
	if err != nil {
		return err
	}
	var users *dashboards.Users
	if c.users != "" {
		if users, err = dashboards.LoadUsers(c.users); err != nil {
			return err
		}
	}
	st, err := c.store.open(ctx, log, "serve")
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, log, c, st, users)
}

// check refuses configurations that cannot work or would be unsafe.
func (c *serveConfig) check() error {
	var err error
	if c.trustedProxies, err = dashboards.ParseProxies(c.trustedProxiesText); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if c.planMonths < 1 || c.planMonths > salesrecipe.MaxPlanMonths {
		return fmt.Errorf("--plan-months %d: want 1 to %d", c.planMonths, salesrecipe.MaxPlanMonths)
	}
	if !(c.planMultiple > 0) || c.planMultiple > 100 {
		return fmt.Errorf("--plan-multiple %g: want a multiple of quota above 0 and at most 100", c.planMultiple)
	}
	if c.authProxyHeader != "" && len(c.trustedProxies) == 0 {
		return errors.New("--auth-proxy-header needs --trusted-proxies CIDR,... (the proxy's addresses): without them any client could send the header")
	}
	if c.chListen == "" {
		return nil
	}
	if c.store.dsn != "" {
		return errors.New("--clickhouse-listen exposes the embedded engine; it cannot be used with --clickhouse")
	}
	if c.chPassword == "" {
		return errors.New("--clickhouse-listen needs --clickhouse-password: the engine is never exposed without one")
	}
	return nil
}

// registerDashboards adds the dashboards' flags.
func (c *serveConfig) registerDashboards(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.sessionKey, "session-key", e.getenv("SALESRECIPE_SESSION_KEY"),
		"secret (32+ bytes) that signs dashboard session cookies; empty means a random key per process, so sign-ins end on restart (env SALESRECIPE_SESSION_KEY)")
	fs.StringVar(&c.authProxyHeader, "auth-proxy-header", e.getenv("SALESRECIPE_AUTH_PROXY_HEADER"),
		"trust this header (e.g. X-Forwarded-Email) from the --trusted-proxies as the signed-in user's e-mail (env SALESRECIPE_AUTH_PROXY_HEADER)")
	fs.StringVar(&c.trustedProxiesText, "trusted-proxies", e.getenv("SALESRECIPE_TRUSTED_PROXIES"),
		"comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and --auth-proxy-header are believed; default none (env SALESRECIPE_TRUSTED_PROXIES)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", e.getenv("SALESRECIPE_METRICS_ADDR"),
		"also serve /metrics of every firm WITHOUT a token on this address, e.g. 127.0.0.1:9464; keep it on loopback or a private network. On --addr, /metrics always needs a bearer token of role metrics or operator (env SALESRECIPE_METRICS_ADDR)")
	c.now = e.now
}

// registerMetrics adds the /metrics flags, their defaults read from the environment.
func (c *serveConfig) registerMetrics(fs *flag.FlagSet, e *env) error {
	fs.DurationVar(&c.metricsRefresh, "metrics-refresh", time.Minute,
		"time between background refreshes of the values /metrics serves (env SALESRECIPE_METRICS_REFRESH)")
	fs.BoolFunc("metrics-per-rep", "expose per-rep series on /metrics (default true); false keeps only team and firm series, for very large firms (env SALESRECIPE_METRICS_PER_REP)",
		func(v string) error {
			b, err := strconv.ParseBool(v)
			c.metricsTeamsOnly = !b
			return err
		})
	fs.DurationVar(&c.refitEvery, "refit-every", 24*time.Hour,
		"refit each firm's recipe and combination in the background at least this often, and --refit-debounce after each API load; 0 turns background refits and POST /api/v1/fit off (env SALESRECIPE_REFIT_EVERY)")
	fs.DurationVar(&c.refitDebounce, "refit-debounce", 5*time.Minute,
		"wait this long after an API load before refitting its firm, so the loads of one sync share one refit (env SALESRECIPE_REFIT_DEBOUNCE)")
	for _, f := range []struct{ name, want string }{
		{"metrics-refresh", "a duration such as 30s or 5m"},
		{"metrics-per-rep", "true or false"},
		{"refit-every", "a duration such as 24h, or 0"},
		{"refit-debounce", "a duration such as 5m"},
	} {
		env := "SALESRECIPE_" + strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
		if v := e.getenv(env); v != "" {
			if err := fs.Set(f.name, v); err != nil {
				return fmt.Errorf("%s %q: want %s", env, v, f.want)
			}
		}
	}
	return nil
}

// registerPlans adds the flags of the reps' business plans, their defaults read from the environment.
func (c *serveConfig) registerPlans(fs *flag.FlagSet, e *env) error {
	fs.IntVar(&c.planMonths, "plan-months", dashboards.DefaultPlanMonths,
		fmt.Sprintf("months a rep's business plan covers, 1 to %d (env SALESRECIPE_PLAN_MONTHS)", salesrecipe.MaxPlanMonths))
	fs.Float64Var(&c.planMultiple, "plan-multiple", dashboards.DefaultPlanMultiple,
		"the multiple of quota the pipeline of a rep's business plan must reach, above 0 and at most 100 (env SALESRECIPE_PLAN_MULTIPLE)")
	for _, f := range []struct{ name, want string }{{"plan-months", "a whole number of months"}, {"plan-multiple", "a number such as 3 or 2.5"}} {
		env := "SALESRECIPE_" + strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
		if v := e.getenv(env); v != "" {
			if err := fs.Set(f.name, v); err != nil {
				return fmt.Errorf("%s %q: want %s", env, v, f.want)
			}
		}
	}
	return nil
}

// newMetrics registers the collector of /metrics and starts its refresh, which ends with ctx;
// it returns the registry /metrics serves.
func newMetrics(ctx context.Context, log *slog.Logger, c serveConfig, st *queries.Store, users *dashboards.Users) (*metrics.Metrics, *prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	fc := &forecast.Forecaster{Store: st, Now: c.now}
	src := &metrics.StoreSource{Store: st, FirmList: servedFirms(users), Forecaster: fc}
	m, err := metrics.New(metrics.Config{Registerer: reg, Source: src,
		Interval: c.metricsRefresh, Timeout: max(c.metricsRefresh, minRefreshTimeout), PerRep: !c.metricsTeamsOnly, Now: c.now, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	// A refresh that fitted a recipe it cannot store still serves its numbers.
	fc.SaveFailed = func(ctx context.Context, what string, err error) {
		log.WarnContext(ctx, "metrics refreshed without saving the "+what, "err", err)
		m.SaveFailed(what)
	}
	go m.Run(ctx)
	return m, reg, nil
}

// servedFirms lists the firms of the users file, or "default" without one.
func servedFirms(users *dashboards.Users) []string {
	if users == nil {
		return []string{"default"}
	}
	var firms []string
	for _, u := range users.All() {
		if u.Role != dashboards.RoleOperator && !slices.Contains(firms, u.Firm) {
			firms = append(firms, u.Firm)
		}
	}
	return firms
}

// dashboardsHandler returns the dashboards and JSON API, or nil without a users file.
// A write a page does on the side that fails is counted by m.
func dashboardsHandler(ctx context.Context, log *slog.Logger, c serveConfig, gate *dashboards.Gate, st *queries.Store, users *dashboards.Users, m *metrics.Metrics, rf *dashboards.Refitter) (http.Handler, error) {
	if users == nil {
		log.Warn("no --users file: the dashboards and the JSON API are off")
		return nil, nil
	}
	key := []byte(c.sessionKey)
	if c.sessionKey == "" {
		var err error
		if key, err = dashboards.NewSessionKey(); err != nil {
			return nil, err
		}
		log.Info("no --session-key: dashboard sign-ins last until this process stops")
	}
	now := c.now
	if now == nil {
		now = time.Now
	}
	srv, err := dashboards.New(dashboards.Config{Store: st, Users: users, Now: now, SessionKey: key,
		AuthProxyHeader: c.authProxyHeader, Gate: gate, Logger: log, Revocations: st, SaveFailed: m.SaveFailed, Refits: rf,
		PlanMonths: c.planMonths, PlanMultiple: c.planMultiple})
	if err != nil {
		return nil, err
	}
	return srv, srv.LoadRevocations(ctx)
}

// serve runs the HTTP servers until ctx ends.
func serve(ctx context.Context, log *slog.Logger, c serveConfig, st *queries.Store, users *dashboards.Users) error {
	gate := dashboards.NewGate(dashboards.GateConfig{TrustedProxies: c.trustedProxies, Now: c.now})
	m, reg, err := newMetrics(ctx, log, c, st, users)
	if err != nil {
		return err
	}
	rf, err := newRefitter(log, c, st, users, m)
	if err != nil {
		return err
	}
	dash, err := dashboardsHandler(ctx, log, c, gate, st, users, m, rf)
	if err != nil {
		return err
	}
	opts := promhttp.HandlerOpts{Registry: reg, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}
	mux := newMux(log, st, users, gate, dash, m, rf)
	mux.Handle("GET /metrics", dashboards.MetricsHandler(users, gate, reg, opts))
	servers := []*http.Server{httpServer(c.addr, gate.WithSecurityHeaders(m.InstrumentHTTP(mux)), timeouts{})}
	if c.metricsAddr != "" {
		mm := http.NewServeMux()
		mm.Handle("GET /metrics", promhttp.HandlerFor(reg, opts))
		servers = append(servers, httpServer(c.metricsAddr, gate.WithSecurityHeaders(mm), timeouts{}))
	}
	if c.chListen != "" {
		h := st.Engine().Handler(chdb.HandlerOptions{Password: c.chPassword, Logger: log})
		// A batch INSERT from another process may stream for minutes: no ReadTimeout here.
		srv := httpServer(c.chListen, h, timeouts{})
		srv.ReadTimeout = 0
		servers = append(servers, srv)
	}
	if rf != nil {
		go rf.Run(ctx)
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			shutdown(log, servers)
			return fmt.Errorf("listen on %s: %w", srv.Addr, err)
		}
		log.InfoContext(ctx, "listening", "addr", "http://"+ln.Addr().String())
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
		return shutdown(log, servers)
	case err := <-errc:
		shutdown(log, servers)
		return fmt.Errorf("http server: %w", err)
	}
}

// newRefitter returns the background refitter of the served firms, counted by m; nil when
// --refit-every is 0.
func newRefitter(log *slog.Logger, c serveConfig, st *queries.Store, users *dashboards.Users, m *metrics.Metrics) (*dashboards.Refitter, error) {
	if c.refitEvery <= 0 {
		log.Info("--refit-every 0: no background refits; fits change only through `salesrecipe fit` or a page that finds none")
		return nil, nil
	}
	now := c.now
	if now == nil {
		now = time.Now
	}
	return dashboards.NewRefitter(dashboards.RefitConfig{
		Firms: servedFirms(users), Fit: refitFirm(st, now), Now: now, Every: c.refitEvery, Debounce: c.refitDebounce,
		Logger: log, Done: m.ObserveRefit,
		LastFit: func(ctx context.Context, firm string) (time.Time, error) {
			r, _, err := st.LatestRecipe(ctx, firm, string(salesrecipe.GrainMonth), now())
			return r.FittedAt, err
		},
	})
}

// refitFirm returns the refit of serve: it fits the firm's monthly model, and that of each other
// grain a fit is stored of, on the data known at the start of this minute (or, for a firm whose data
// ended a period or more ago, at the end of its data, as `fit` does), and stores them. The
// pages' "now" is rounded down to the minute too, so they use the new fit as soon as it is stored.
func refitFirm(st *queries.Store, now func() time.Time) func(ctx context.Context, firm string) error {
	return func(ctx context.Context, firm string) error {
		at := now().UTC().Truncate(time.Minute)
		f := &forecast.Fitter{Store: st, Now: now}
		for _, g := range []salesrecipe.Grain{salesrecipe.GrainMonth, salesrecipe.GrainWeek, salesrecipe.GrainQuarter} {
			if g != salesrecipe.GrainMonth {
				_, ok, err := st.LatestRecipe(ctx, firm, string(g), at)
				if err != nil {
					return fmt.Errorf("refit %s: stored %s fits: %w", firm, g, err)
				}
				if !ok {
					continue
				}
			}
			asOf, _, err := dataEnd(ctx, st, firm, g, at)
			if err != nil {
				return fmt.Errorf("refit %s (%s): %w", firm, g, err)
			}
			m, err := f.Fit(ctx, firm, g, asOf)
			if err != nil {
				return fmt.Errorf("refit %s (%s): %w", firm, g, err)
			}
			if err := f.Save(ctx, m); err != nil {
				return fmt.Errorf("refit %s (%s): %w", firm, g, err)
			}
		}
		return nil
	}
}

// shutdown stops the servers, letting requests in flight finish for up to 10 s.
func shutdown(log *slog.Logger, servers []*http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			log.Error("shutdown", "addr", srv.Addr, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// newMux routes the server's endpoints; dash, when set, serves every other path; m counts ingested
// rows; gate slows token guessing on the ingest API; rf, when set, is told of every load that stored rows.
func newMux(log *slog.Logger, st *queries.Store, users *dashboards.Users, gate *dashboards.Gate, dash http.Handler, m *metrics.Metrics, rf *dashboards.Refitter) *http.ServeMux {
	mux := http.NewServeMux()
	if dash != nil {
		mux.Handle("/", dash)
	}
	mux.Handle("POST /api/v1/ingest/{kind}", gate.Limit(m.IngestHandler(ingest.HandlerConfig{
		Store: st, Authorize: dashboards.IngestAuthorizer(users), Logger: log,
		Observe: func(firm string, _ ingest.Kind, res ingest.Result, err error) {
			if err == nil && res.Loaded > 0 && rf != nil {
				rf.Loaded(firm)
			}
		},
	})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", readyHandler(log, st))
	return mux
}

// readiness is the body of /readyz: "ok" or "error: ..." for reading and for writing.
type readiness struct {
	Ready bool   `json:"ready"`
	Read  string `json:"read"`
	Write string `json:"write"`
}

// readyHandler answers 200 when the store can be read and written, else 503; the body says
// which fails. Concurrent probes share one check, so a burst costs one staging table.
func readyHandler(log *slog.Logger, st *queries.Store) http.HandlerFunc {
	var g singleflight.Group
	return func(w http.ResponseWriter, r *http.Request) {
		v, _, _ := g.Do("check", func() (any, error) {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
			defer cancel()
			return st.CheckHealth(ctx), nil
		})
		h := v.(queries.Health)
		rd := readiness{Ready: h.Read == nil && h.Write == nil, Read: healthWord(h.Read), Write: healthWord(h.Write)}
		w.Header().Set("Content-Type", "application/json")
		if !rd.Ready {
			log.WarnContext(r.Context(), "not ready", "read", rd.Read, "write", rd.Write)
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = writeJSON(w, rd)
	}
}

// healthWord renders one side of a health check.
func healthWord(err error) string {
	if err == nil {
		return "ok"
	}
	return "error: " + err.Error()
}
