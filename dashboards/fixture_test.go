package dashboards

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded ClickHouse engine.
var engine querytest.Engine

// TestMain stops the embedded engine before the binary exits.
func TestMain(m *testing.M) { engine.Main(m) }

// testNow is the fixed clock of the test firm: mid-March 2026.
var testNow = time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC)

// The test firm acme has teams East (r0001 leads; r0003, r0005, ...) and West
// (r0002 leads; r0004, ...). Its users, and an admin of another firm:
const testUsers = `
users:
  - {name: Ada Admin, token: "admin-token-000000000000", role: admin, firm: acme, email: ada@acme.test}
  - {name: Max Manager, token: "manager-token-00000000000", role: manager, firm: acme, teams: [East]}
  - {name: Wes Manager, token: "west-manager-token-000000", role: manager, firm: acme, teams: [West]}
  - {name: Ray Rep, token: "rep-token-00000000000000000", role: rep, firm: acme, rep_id: r0003, email: ray@acme.test}
  - {name: Ivy Loader, token: "ingest-token-000000000000", role: ingest, firm: acme}
  - {name: Gus Globex, token: "globex-admin-token-0000000", role: admin, firm: globex}
  - {name: Mia Metrics, token: "metrics-token-acme-0000000", role: metrics, firm: acme}
  - {name: Gil Metrics, token: "metrics-token-globex-00000", role: metrics, firm: globex}
  - {name: Otto Operator, token: "operator-token-0000000000", role: operator}
  - {name: Bo Boss, email: boss@acme.test, role: admin, firm: acme}
`

// tokens of the test users by role name.
var tokens = map[string]string{
	"admin":         "admin-token-000000000000",
	"manager":       "manager-token-00000000000",
	"west-manager":  "west-manager-token-000000",
	"rep":           "rep-token-00000000000000000",
	"ingest":        "ingest-token-000000000000",
	"other-firm":    "globex-admin-token-0000000",
	"metrics":       "metrics-token-acme-0000000",
	"other-metrics": "metrics-token-globex-00000",
	"operator":      "operator-token-0000000000",
}

// proxyAddr is the test's trusted reverse proxy; httptest's requests come from 192.0.2.1, untrusted.
const proxyAddr = "10.0.0.1:4000"

// fixture is a loaded test firm and a server on it.
type fixture struct {
	st    *queries.Store
	users *Users
	srv   *Server
	clock *clock
	// refits is the server's refitter: it really fits and stores, at the clock's time; it runs
	// only when a test starts it. beforeFit, when set before that, runs at the start of each refit,
	// and refitDone receives each refit's outcome.
	refits    *Refitter
	beforeFit func()
	refitDone chan error
}

// clock is a settable test clock; with a step, every reading moves it on by the step first.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// Add moves the clock.
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newFixture loads a small synthetic firm (16 reps in two teams, 14 months
// ending mid-March 2026) into a fresh database and starts a server on it.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOf(t, ingest.Kinds()...)
}

// newFixtureOf is newFixture loading only the files of the given kinds.
func newFixtureOf(t testing.TB, kinds ...ingest.Kind) *fixture {
	t.Helper()
	return newShapedFixture(t, synth.ShapeFull, kinds...)
}

// newShapedFixture is newFixtureOf with the synthetic files written in a shape (a one-row-per-deal export, say).
func newShapedFixture(t testing.TB, shape synth.Shape, kinds ...ingest.Kind) *fixture {
	t.Helper()
	st := engine.Store(t, queries.Config{})
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Seed, cfg.End, cfg.Shape = 16, 14, 7, testNow, shape
	ctx := context.Background()
	if _, err := synth.WriteDir(ctx, dir, cfg); err != nil {
		t.Fatal(err)
	}
	for _, kind := range kinds {
		f, err := os.Open(filepath.Join(dir, string(kind)+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Run(ctx, st, ingest.Job{Firm: "acme", Kind: kind}, []ingest.Input{{Name: f.Name(), R: f}})
		f.Close()
		if err != nil {
			t.Fatalf("load %s: %v", kind, err)
		}
	}
	return startFixture(t, st)
}

// startFixture starts a server on a store.
func startFixture(t testing.TB, st *queries.Store) *fixture {
	t.Helper()
	users, err := ParseUsers([]byte(testUsers), "users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, users: users, clock: &clock{t: testNow}, refitDone: make(chan error, 16)}
	rf, err := NewRefitter(RefitConfig{Firms: []string{"acme"}, Now: f.clock.Now,
		Fit: func(ctx context.Context, firm string) error {
			if f.beforeFit != nil {
				f.beforeFit()
			}
			return f.fitAt(ctx, firm, f.clock.Now())
		},
		Done: func(_ string, _ time.Duration, err error) { f.refitDone <- err },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.refits = rf
	f.srv = newServer(t, st, users, f.clock, rf, 3)
	return f
}

// lightBacktests rebuilds the fixture's server to backtest one past period for the accuracy page and
// API instead of three, for tests of access and rendering: their answers do not depend on how many
// periods are scored, and each period costs several seconds under the race detector.
func (f *fixture) lightBacktests(t testing.TB) {
	t.Helper()
	f.srv = newServer(t, f.st, f.users, f.clock, f.refits, 1)
}

// newServer starts a server as the fixture configures it: a trusted proxy at
// 10.0.0.0/8 sending X-Forwarded-Email, ended sessions kept in the store, backtests of the given
// number of past periods.
func newServer(t testing.TB, st *queries.Store, users *Users, c *clock, rf *Refitter, backtestPeriods int) *Server {
	t.Helper()
	gate := NewGate(GateConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Burst: 1000, Now: c.Now})
	srv, err := New(Config{Store: st, Users: users, Now: c.Now, SessionKey: []byte(strings.Repeat("k", 32)), Gate: gate,
		AuthProxyHeader: "X-Forwarded-Email", BacktestPeriods: backtestPeriods, BacktestWait: 5 * time.Minute, Revocations: st, Refits: rf})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadRevocations(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv
}

// fit fits and stores the test firm's model on the data known at asOf, as `salesrecipe fit` does.
func (f *fixture) fit(t testing.TB, asOf time.Time) {
	t.Helper()
	if err := f.fitAt(context.Background(), "acme", asOf); err != nil {
		t.Fatal(err)
	}
}

// fitAt fits and stores a firm's monthly model on the data known at asOf, fitted at asOf.
func (f *fixture) fitAt(ctx context.Context, firm string, asOf time.Time) error {
	fitter := &forecast.Fitter{Store: f.st, Now: func() time.Time { return asOf }}
	m, err := fitter.Fit(ctx, firm, salesrecipe.GrainMonth, asOf)
	if err != nil {
		return err
	}
	return fitter.Save(ctx, m)
}

// get sends a request with the role's bearer token (none for "anonymous"); target is a path,
// or "POST path" for another method, with "METHOD path BODY" sending a JSON body (one starting
// with "{") or a form.
func (f *fixture) get(t testing.TB, role, target string) *http.Response {
	t.Helper()
	method, payload := http.MethodGet, ""
	if m, path, ok := strings.Cut(target, " "); ok {
		method, target = m, path
		target, payload, _ = strings.Cut(target, " ")
	}
	r := httptest.NewRequest(method, target, strings.NewReader(payload))
	if payload != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(payload, "{") {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	if tok, ok := tokens[role]; ok {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w.Result()
}

// body reads a response body.
func body(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withQuery adds query parameters to a path.
func withQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return path + "?" + v.Encode()
}
