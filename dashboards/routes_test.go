package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// roles are the callers of the route test: no credentials, each role of the
// test firm acme, and the admin of another firm.
// The metrics roles (of acme and of globex) and the operator may read /metrics only.
var roles = []string{"anonymous", "admin", "manager", "west-manager", "rep", "ingest", "other-firm", "metrics", "other-metrics", "operator"}

// routeCase is one request and what each role gets: a status, or "303 PATH" for a redirect.
// target is a GET path, or "POST path".
type routeCase struct {
	target string
	want   [10]string // in the order of roles
}

// Shorthands for the expectations.
const (
	ok     = "200"
	login  = "303 /login"
	unauth = "401"
	forbid = "403"
	hidden = "404"
	queued = "202"
)

// routeCases covers every route (TestRouteCasesCoverEveryRoute checks it) for every role.
// r0003 is the rep user (team East, managed by "manager"); r0005 is in East; r0002 in West.
var routeCases = []routeCase{
	//                                  anonymous  admin            manager          west-manager     rep                    ingest  other-firm  metrics  other-metrics  operator
	{"/", [10]string{login, "303 /team", "303 /team", "303 /team", "303 /reps/r0003", forbid, "303 /team", forbid, forbid, forbid}},
	{"/team", [10]string{login, ok, ok, ok, "303 /reps/r0003", forbid, ok, forbid, forbid, forbid}},
	{"/team?period=2026-02&as_of=2026-02-20", [10]string{login, ok, ok, ok, "303 /reps/r0003?period=2026-02&as_of=2026-02-20", forbid, ok, forbid, forbid, forbid}},
	{"/reps/r0003", [10]string{login, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/reps/r0005", [10]string{login, ok, ok, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/reps/r0002", [10]string{login, ok, hidden, ok, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/reps/r9999", [10]string{login, hidden, hidden, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/recipe", [10]string{login, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/accuracy", [10]string{login, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/pipeline", [10]string{login, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/pipeline?firm=globex", [10]string{login, hidden, hidden, hidden, hidden, forbid, ok, forbid, forbid, forbid}},
	{"/review", [10]string{login, ok, ok, ok, "303 /review/r0003", forbid, ok, forbid, forbid, forbid}},
	{"/review/r0003", [10]string{login, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/review/r0002", [10]string{login, ok, hidden, ok, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/forecast", [10]string{unauth, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/api/v1/forecast?firm=acme", [10]string{unauth, ok, ok, ok, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/forecast?firm=globex", [10]string{unauth, hidden, hidden, hidden, hidden, forbid, ok, forbid, forbid, forbid}},
	{"/api/v1/recipe", [10]string{unauth, ok, ok, ok, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/backtest", [10]string{unauth, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/api/v1/reps/r0003", [10]string{unauth, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/reps/r0002", [10]string{unauth, ok, hidden, ok, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/reps/r9999", [10]string{unauth, hidden, hidden, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/pipeline", [10]string{unauth, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/api/v1/pipeline?period=2026-13", [10]string{unauth, "400", "400", "400", "400", forbid, "400", forbid, forbid, forbid}},
	{"POST /api/v1/fit", [10]string{unauth, queued, forbid, forbid, forbid, forbid, queued, forbid, forbid, forbid}},
	{"POST /api/v1/fit?firm=acme", [10]string{unauth, queued, forbid, forbid, forbid, forbid, hidden, forbid, forbid, forbid}},
	{"POST /api/v1/fit?firm=globex", [10]string{unauth, hidden, hidden, hidden, hidden, forbid, queued, forbid, forbid, forbid}},
	{"/api/v1/plans/r0003?from=2026-03", [10]string{unauth, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/plans/r0002", [10]string{unauth, ok, hidden, ok, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/plans/r0003?from=2026-13", [10]string{unauth, "400", "400", hidden, "400", forbid, hidden, forbid, forbid, forbid}},
	{"PUT /api/v1/plans/r0003?from=2026-03 " + testPlanJSON, [10]string{unauth, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"PUT /api/v1/plans/r0002?from=2026-03 " + testPlanJSON, [10]string{unauth, ok, hidden, ok, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"PUT /api/v1/plans/r0003?from=2026-03 {}", [10]string{unauth, "400", "400", hidden, "400", forbid, hidden, forbid, forbid, forbid}},
	{"POST /reps/r0003/plan?from=2026-03 " + testPlanForm, [10]string{login, "303 /reps/r0003?period=2026-03#plan", "303 /reps/r0003?period=2026-03#plan", hidden, "303 /reps/r0003?period=2026-03#plan", forbid, hidden, forbid, forbid, forbid}},
	{"POST /reps/r0002/plan?from=2026-03 " + testPlanForm, [10]string{login, "303 /reps/r0002?period=2026-03#plan", hidden, "303 /reps/r0002?period=2026-03#plan", hidden, forbid, hidden, forbid, forbid, forbid}},
	// Contests (seedContests): c-east (East, reps see it), c-all (East and West, reps see it), c-hidden (East, reps do not).
	// A POST without a body reaches the contest's checks (400) only for those who may define contests.
	{"/contests", [10]string{login, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/contests/c-east", [10]string{login, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/contests/c-all", [10]string{login, ok, ok, ok, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/contests/c-hidden", [10]string{login, ok, ok, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/contests/nope", [10]string{login, hidden, hidden, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/contests", [10]string{unauth, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
	{"/api/v1/contests/c-east", [10]string{unauth, ok, ok, hidden, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/contests/c-all", [10]string{unauth, ok, ok, ok, ok, forbid, hidden, forbid, forbid, forbid}},
	{"/api/v1/contests/c-hidden", [10]string{unauth, ok, ok, hidden, hidden, forbid, hidden, forbid, forbid, forbid}},
	{"POST /contests", [10]string{login, "400", "400", "400", forbid, forbid, "400", forbid, forbid, forbid}},
	{"POST /api/v1/contests", [10]string{unauth, "400", "400", "400", forbid, forbid, "400", forbid, forbid, forbid}},
	// Calls: a rep calls for themselves, a manager for their teams and reps, an admin for the firm
	// (globex's admin is told acme's rep or team is unknown there).
	{`PUT /api/v1/calls?period=2026-03 {"period":"2026-03","rep_id":"r0003","commit":1000,"best_case":2000}`, [10]string{unauth, "201", "201", hidden, "201", forbid, "400", forbid, forbid, forbid}},
	{`PUT /api/v1/calls?period=2026-03 {"period":"2026-03","rep_id":"r0002","commit":1000,"best_case":2000}`, [10]string{unauth, "201", hidden, "201", hidden, forbid, "400", forbid, forbid, forbid}},
	{`PUT /api/v1/calls?period=2026-03 {"period":"2026-03","team":"East","commit":1000,"best_case":2000,"note":"n"}`, [10]string{unauth, "201", "201", hidden, hidden, forbid, "400", forbid, forbid, forbid}},
	{`PUT /api/v1/calls?period=2026-03 {"period":"2026-03","rep_id":"r0003","commit":3000,"best_case":2000}`, [10]string{unauth, "400", "400", hidden, "400", forbid, "400", forbid, forbid, forbid}},
	{"POST /calls?period=2026-03 period=2026-03&rep_id=r0003&commit=1000&best_case=2000", [10]string{login, "303 /reps/r0003?period=2026-03#calls", "303 /reps/r0003?period=2026-03#calls", hidden, "303 /reps/r0003?period=2026-03#calls", forbid, "400", forbid, forbid, forbid}},
	{"POST /calls?period=2026-03 period=2026-03&team=West&commit=1000&best_case=2000", [10]string{login, "303 /team?period=2026-03#calls", hidden, "303 /team?period=2026-03#calls", hidden, forbid, "400", forbid, forbid, forbid}},
	{"/api/v1/calls?period=2026-03", [10]string{unauth, ok, ok, ok, ok, forbid, ok, forbid, forbid, forbid}},
}

// testPlanJSON is a valid plan body whose pipeline is far above any test rep's quota, and testPlanForm the same as the rep page's form sends it.
const (
	testPlanJSON = `{"accounts":[{"account":"A0001","amount":90000000,"close_quarter":"2026-Q3"}],"objectives":[{"kind":"call","per_month":40}],` +
		`"training":[{"topic":"Negotiation","date":"2026-04-15","owner":"Max"}],"goals":["Close a six-figure deal"]}`
	testPlanForm = "account=A0001&amount=90000000&close_quarter=2026-Q3&account=&amount=&close_quarter=&kind=call&per_month=40&topic=Negotiation&date=2026-04-15&owner=Max&goals=Close+a+six-figure+deal"
)

// leaks returns the ids and names of acme's reps the role must never see.
func leaks(t *testing.T, f *fixture, role string) []string {
	t.Helper()
	reps, err := f.st.Reps(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range reps {
		var visible bool
		switch role {
		case "admin":
			visible = true
		case "manager":
			visible = r.Team == "East"
		case "west-manager":
			visible = r.Team == "West"
		case "rep":
			visible = r.ID == "r0003"
		}
		if !visible {
			out = append(out, r.ID, r.Name)
		}
	}
	return out
}

var csvLink = regexp.MustCompile(`class="csv" href="([^"]+)"`)

func TestRoutesByRole(t *testing.T) {
	if raceEnabled {
		t.Skip("one request at a time: access, not concurrency (22 s under -race); make test runs it without the race detector")
	}
	f := newFixture(t)
	f.lightBacktests(t)
	f.fit(t, testNow.Add(-24*time.Hour))
	contests := seedContests(t, f)
	for i, role := range roles {
		t.Run(role, func(t *testing.T) {
			base := leaks(t, f, role)
			for _, rc := range routeCases {
				res := f.get(t, role, rc.target)
				got := strconv.Itoa(res.StatusCode)
				if res.StatusCode == http.StatusSeeOther {
					loc := res.Header.Get("Location")
					if strings.HasPrefix(loc, "/login") {
						loc = "/login"
					}
					got += " " + loc
				}
				b := body(t, res)
				if got != rc.want[i] {
					t.Errorf("%s: got %s, want %s\n%.300s", rc.target, got, rc.want[i], b)
					continue
				}
				if res.StatusCode != http.StatusOK {
					continue
				}
				secret := contests.secrets(role, rc.target, base)
				checkNoLeak(t, rc.target, b, secret)
				for _, m := range csvLink.FindAllStringSubmatch(b, -1) {
					href := strings.ReplaceAll(m[1], "&amp;", "&")
					csv := f.get(t, role, href)
					cb := body(t, csv)
					if csv.StatusCode != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
						t.Errorf("%s: %d %s", href, csv.StatusCode, csv.Header.Get("Content-Type"))
					}
					checkNoLeak(t, href, cb, secret)
				}
			}
		})
	}
	t.Run("contest numbers", func(t *testing.T) { checkRecipePoints(t, f) })
}

// checkNoLeak fails when a body names a rep the role must not see.
func checkNoLeak(t *testing.T, target, body string, secret []string) {
	t.Helper()
	for _, s := range secret {
		if strings.Contains(body, s) {
			t.Errorf("%s shows %q, a rep this role must not see", target, s)
		}
	}
}

func TestRouteCasesCoverEveryRoute(t *testing.T) {
	f := emptyFixture(t)
	var patterns []string
	for _, p := range f.srv.pages() {
		patterns = append(patterns, p.pattern)
	}
	for _, a := range f.srv.apis() {
		patterns = append(patterns, a.pattern)
	}
	for _, a := range f.srv.actions() {
		patterns = append(patterns, "POST "+a.pattern)
	}
	for _, a := range f.srv.methodRoutes() {
		patterns = append(patterns, strings.TrimPrefix(a.method+" "+a.pattern, "GET "))
	}
	patterns = append(patterns, "/")
	wildcard := regexp.MustCompile(`\\\{[a-z_]+\\\}`)
	for _, p := range patterns {
		re := regexp.MustCompile("^" + wildcard.ReplaceAllString(regexp.QuoteMeta(p), "[^/]+") + "$")
		covered := false
		for _, rc := range routeCases {
			path, _, _ := strings.Cut(rc.target, "?")
			if m, rest, ok := strings.Cut(path, " "); ok {
				rest, _, _ = strings.Cut(rest, " ")
				path = m + " " + rest
			}
			covered = covered || re.MatchString(path)
		}
		if !covered {
			t.Errorf("route %s has no case in routeCases", p)
		}
	}
}

// metricsCases are what each role gets from /metrics: a status, and the firms whose series it sees.
var metricsCases = map[string]struct {
	code  int
	firms []string
}{
	"anonymous":     {http.StatusUnauthorized, nil},
	"admin":         {http.StatusForbidden, nil},
	"manager":       {http.StatusForbidden, nil},
	"west-manager":  {http.StatusForbidden, nil},
	"rep":           {http.StatusForbidden, nil},
	"ingest":        {http.StatusForbidden, nil},
	"other-firm":    {http.StatusForbidden, nil},
	"metrics":       {http.StatusOK, []string{"acme"}},
	"other-metrics": {http.StatusOK, []string{"globex"}},
	"operator":      {http.StatusOK, []string{"acme", "globex", ""}},
}

func TestMetricsByRole(t *testing.T) {
	users, err := ParseUsers([]byte(testUsers), "users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	quota := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "salesrecipe_rep_quota", Help: "q"}, []string{"firm", "rep"})
	quota.WithLabelValues("acme", "r0003").Set(1)
	quota.WithLabelValues("globex", "g0001").Set(2)
	process := prometheus.NewGauge(prometheus.GaugeOpts{Name: "salesrecipe_process_thing", Help: "p"})
	reg.MustRegister(quota, process)
	h := MetricsHandler(users, NewGate(GateConfig{Burst: 1000}), reg, promhttp.HandlerOpts{})
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			want, ok := metricsCases[role]
			if !ok {
				t.Fatalf("no /metrics case for role %s", role)
			}
			r := httptest.NewRequest("GET", "/metrics", nil)
			if tok, ok := tokens[role]; ok {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			b := w.Body.String()
			if w.Code != want.code {
				t.Fatalf("status %d, want %d: %s", w.Code, want.code, b)
			}
			for firm, series := range map[string]string{"acme": `firm="acme"`, "globex": `firm="globex"`, "": "salesrecipe_process_thing "} {
				if strings.Contains(b, series) != slices.Contains(want.firms, firm) {
					t.Errorf("shows %q = %v, want firms %v:\n%s", series, strings.Contains(b, series), want.firms, b)
				}
			}
		})
	}
}

func TestEmailOnlyUserHasNoToken(t *testing.T) {
	f := emptyFixture(t)
	sum := sha256.Sum256([]byte("\x00no-token\x00boss@acme.test"))
	for _, forged := range []string{"\x00no-token\x00boss@acme.test", "boss@acme.test", "", hex.EncodeToString(sum[:]), string(sum[:])} {
		res := f.send(httptest.NewRequest("GET", withQuery("/login", "token", forged), nil))
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login?failed=1") {
			t.Errorf("sign-in link with %q: %d %s", forged, res.StatusCode, loc)
		}
		r := httptest.NewRequest("GET", "/api/v1/forecast", nil)
		r.Header.Set("Authorization", "Bearer "+forged)
		if res := f.send(r); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("bearer %q: %d", forged, res.StatusCode)
		}
	}
	if _, ok := f.users.ByToken("\x00no-token\x00boss@acme.test"); ok {
		t.Error("the e-mail-only user matches the old forged token")
	}
}

func TestProxyHeaderTrust(t *testing.T) {
	f := emptyFixture(t)
	tests := []struct {
		name, from, email, want string
	}{
		{"untrusted client", "192.0.2.7:5000", "boss@acme.test", login},
		{"untrusted client naming an admin with a token", "192.0.2.7:5000", "ada@acme.test", login},
		{"trusted proxy, e-mail-only admin", proxyAddr, "boss@acme.test", ok},
		{"trusted proxy, rep", proxyAddr, "ray@acme.test", ok},
		{"trusted proxy, unknown e-mail", proxyAddr, "mallory@acme.test", forbid},
		{"trusted proxy, no header", proxyAddr, "", login},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/recipe", nil)
			r.RemoteAddr = tt.from
			if tt.email != "" {
				r.Header.Set("X-Forwarded-Email", tt.email)
			}
			res := f.send(r)
			got := strconv.Itoa(res.StatusCode)
			if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login") {
				got = login
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
