package dashboards

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// Config is everything a Server needs; the caller injects every dependency.
type Config struct {
	// Store holds the firms' data.
	Store *queries.Store
	// Users says who may sign in and what each one sees.
	Users *Users
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SessionKey signs session cookies and CSRF tokens: at least 32 bytes.
	SessionKey []byte
	// SessionTTL is how long a login lasts; zero means 12 hours.
	SessionTTL time.Duration
	// AuthProxyHeader, when set, is a header a trusted reverse proxy fills with
	// the signed-in user's e-mail (oauth2-proxy's X-Forwarded-Email); it is
	// believed only from the Gate's trusted proxies, and New refuses it without any.
	AuthProxyHeader string
	// Gate identifies clients and slows token guessing; nil means a gate with no
	// trusted proxies and LoginBurst and LoginInterval.
	Gate *Gate
	// Logger receives request and error logs; nil discards them.
	Logger *slog.Logger
	// SaveFailed, when set, is told of each optional write (what: snapshot, recipe) that failed
	// while a page was served anyway, for a metric; the failure is logged either way.
	SaveFailed func(what string)
	// LoginBurst is how many failed sign-ins a client may make at once when Gate is nil; zero means 10.
	LoginBurst int
	// LoginInterval gives one attempt back per interval when Gate is nil; zero means 6 seconds.
	LoginInterval time.Duration
	// UserBurst is how many expensive requests (backtests, CSV) a user may make at once; zero means 30.
	UserBurst int
	// UserInterval gives a user one expensive request back per interval; zero means 2 seconds.
	UserInterval time.Duration
	// Freshness is how long an answer for "now" is reused; zero means one minute.
	Freshness time.Duration
	// BacktestPeriods is how many past periods the accuracy page backtests; zero means 6.
	BacktestPeriods int
	// BacktestWait is how long a request waits for a backtest before saying it runs; zero means 3 seconds.
	BacktestWait time.Duration
	// BacktestsPerFirm is how many backtests of one firm may run at once; zero means 2.
	BacktestsPerFirm int
	// BacktestLease is how long a backtest keeps running for a client told to
	// come back for it; zero means 2 minutes. One nobody waits for is cancelled.
	BacktestLease time.Duration
	// Revocations keeps ended sessions across restarts; nil keeps them in memory only.
	Revocations Revocations
	// Refits refits firms in the background and takes POST /api/v1/fit; nil turns that endpoint off (503).
	Refits *Refitter
	// PlanMonths is how many months a rep's business plan covers; zero means DefaultPlanMonths.
	PlanMonths int
	// PlanMultiple is the multiple of quota a plan's pipeline must reach; zero means DefaultPlanMultiple.
	PlanMultiple float64
}

// Server serves the dashboards and the JSON API.
type Server struct {
	cfg    Config
	log    *slog.Logger
	sign   *signer
	gate   *Gate
	heavy  *limiter
	jobs   *backtests
	cache  *cache
	views  *template.Template
	assets *assetSet
	cop    *http.CrossOriginProtection
	mux    *http.ServeMux
	// runBacktest computes one backtest; storeBacktest outside tests.
	runBacktest func(ctx context.Context, br forecast.BacktestRequest, horizon time.Time) (*forecast.Backtest, error)
	// scripts are the pages' script URLs: go-echarts' assets, then the page script.
	scripts []string

	snapMu  sync.Mutex
	snapped map[string]bool
	// edits counts saved plans per firm, for the keys of cached pages that show them.
	edits edits
}

// New checks the configuration and returns a server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("dashboards: no store")
	}
	if cfg.Users == nil {
		return nil, errors.New("dashboards: no users file (start with --users FILE)")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.SessionTTL = orDuration(cfg.SessionTTL, 12*time.Hour)
	cfg.LoginInterval = orDuration(cfg.LoginInterval, 6*time.Second)
	cfg.Freshness = orDuration(cfg.Freshness, time.Minute)
	cfg.BacktestWait = orDuration(cfg.BacktestWait, 3*time.Second)
	if cfg.LoginBurst <= 0 {
		cfg.LoginBurst = 10
	}
	if cfg.PlanMonths <= 0 {
		cfg.PlanMonths = DefaultPlanMonths
	}
	if cfg.PlanMultiple <= 0 {
		cfg.PlanMultiple = DefaultPlanMultiple
	}
	if cfg.PlanMonths > salesrecipe.MaxPlanMonths || cfg.PlanMultiple > 100 {
		return nil, fmt.Errorf("dashboards: a plan covers 1 to %d months and asks for at most 100x quota (got %d months, %gx)", salesrecipe.MaxPlanMonths, cfg.PlanMonths, cfg.PlanMultiple)
	}
	if cfg.BacktestPeriods <= 0 {
		cfg.BacktestPeriods = 6
	}
	if cfg.Gate == nil {
		cfg.Gate = NewGate(GateConfig{Burst: cfg.LoginBurst, Interval: cfg.LoginInterval, Now: cfg.Now})
	}
	if cfg.AuthProxyHeader != "" && len(cfg.Gate.proxies) == 0 {
		return nil, errors.New("dashboards: the auth proxy header needs trusted proxies (--trusted-proxies CIDR,...): without them any client could send it")
	}
	sign, err := newSigner(cfg.SessionKey, cfg.Now, cfg.Revocations)
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	views, err := parseViews()
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	assets, err := loadAssets()
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, sign: sign, views: views, assets: assets,
		gate:    cfg.Gate,
		heavy:   newLimiter(cmp.Or(max(cfg.UserBurst, 0), 30), orDuration(cfg.UserInterval, 2*time.Second), cfg.Now),
		jobs:    newBacktests(cmp.Or(max(cfg.BacktestsPerFirm, 0), 2), orDuration(cfg.BacktestLease, 2*time.Minute)),
		cache:   newCache(cfg.Now, 512, cfg.Logger),
		cop:     http.NewCrossOriginProtection(),
		snapped: map[string]bool{},
	}
	s.runBacktest = s.storeBacktest
	s.scripts = append(echartsScripts(), "/assets/app.js")
	s.routes()
	return s, nil
}

// orDuration returns d, or def when d is not positive.
func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// routes registers every route; each page and API route goes through guard.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /assets/{file}", s.serveAsset)
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue("file", "favicon.svg")
		s.serveAsset(w, r)
	})
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginPost)
	m.HandleFunc("POST /logout", s.logout)
	m.Handle("GET /{$}", s.guard(routeLanding, s.landing))
	for _, p := range s.pages() {
		m.Handle("GET "+p.pattern, s.guard(p.route, s.servePage(p)))
	}
	for _, a := range s.apis() {
		m.Handle("GET "+a.pattern, s.guard(a.route, s.serveAPI(a)))
	}
	for _, a := range s.actions() {
		m.Handle("POST "+a.pattern, s.guard(a.route, a.do))
	}
	for _, a := range s.methodRoutes() {
		m.Handle(a.method+" "+a.pattern, s.guard(a.route, a.do))
	}
	s.mux = m
}

// ServeHTTP adds the security headers, refuses cross-origin state changes and routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	SecurityHeaders(w, s.gate.Secure(r))
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	if err := s.cop.Check(r); err != nil {
		http.Error(rec, "cross-origin request refused", http.StatusForbidden)
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	// The query is never logged: /login?token= carries a secret.
	s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.code, "duration", s.cfg.Now().Sub(start))
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the code.
func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// SecurityHeaders sets the headers every answer carries, HSTS when the client
// came over TLS, and Cache-Control: no-store (handlers of public, immutable
// files replace it). Pages run no inline script: charts read their options from
// JSON data blocks through /assets/app.js.
func SecurityHeaders(w http.ResponseWriter, secure bool) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Set("Cache-Control", "no-store")
	if secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// WithSecurityHeaders wraps a handler (health checks, /metrics, the ingest API)
// so its answers carry the security headers too.
func (g *Gate) WithSecurityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SecurityHeaders(w, g.Secure(r))
		h.ServeHTTP(w, r)
	})
}
