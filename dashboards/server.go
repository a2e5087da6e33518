package dashboards

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

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
	// the signed-in user's e-mail (oauth2-proxy's X-Forwarded-Email).
	AuthProxyHeader string
	// Logger receives request and error logs; nil discards them.
	Logger *slog.Logger
	// SaveFailed, when set, is told of each optional write (what: snapshot, recipe) that failed
	// while a page was served anyway, for a metric; the failure is logged either way.
	SaveFailed func(what string)
	// LoginBurst is how many login attempts a client address may make at once; zero means 10.
	LoginBurst int
	// LoginInterval adds one attempt per interval; zero means 6 seconds.
	LoginInterval time.Duration
	// Freshness is how long an answer for "now" is reused; zero means one minute.
	Freshness time.Duration
	// BacktestPeriods is how many past periods the accuracy page backtests; zero means 6.
	BacktestPeriods int
	// BacktestWait is how long a request waits for a backtest before saying it runs; zero means 3 seconds.
	BacktestWait time.Duration
}

// Server serves the dashboards and the JSON API.
type Server struct {
	cfg    Config
	log    *slog.Logger
	sign   *signer
	limit  *limiter
	cache  *cache
	views  *template.Template
	assets *assetSet
	cop    *http.CrossOriginProtection
	mux    *http.ServeMux
	// scripts are the pages' script URLs: go-echarts' assets, then the page script.
	scripts []string

	snapMu  sync.Mutex
	snapped map[string]bool
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
	if cfg.BacktestPeriods <= 0 {
		cfg.BacktestPeriods = 6
	}
	sign, err := newSigner(cfg.SessionKey, cfg.Now)
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
		limit:   newLimiter(cfg.LoginBurst, cfg.LoginInterval, cfg.Now),
		cache:   newCache(cfg.Now, 512, cfg.Logger),
		cop:     http.NewCrossOriginProtection(),
		snapped: map[string]bool{},
	}
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
	s.mux = m
}

// ServeHTTP adds the security headers, refuses cross-origin state changes and routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	s.securityHeaders(w, r)
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

// securityHeaders sets the headers every answer carries. Pages run no inline
// script: charts read their options from JSON data blocks through /assets/app.js.
func (s *Server) securityHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.secureRequest(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}
