package dashboards

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// roles are the callers of the route test: no credentials, each role of the
// test firm acme, and the admin of another firm.
var roles = []string{"anonymous", "admin", "manager", "west-manager", "rep", "ingest", "other-firm"}

// routeCase is one request and what each role gets: a status, or "303 PATH" for a redirect.
type routeCase struct {
	target string
	want   [7]string // in the order of roles
}

// Shorthands for the expectations.
const (
	ok     = "200"
	login  = "303 /login"
	unauth = "401"
	forbid = "403"
	hidden = "404"
)

// routeCases covers every route (TestRouteCasesCoverEveryRoute checks it) for every role.
// r0003 is the rep user (team East, managed by "manager"); r0005 is in East; r0002 in West.
var routeCases = []routeCase{
	//                                  anonymous  admin            manager          west-manager     rep                    ingest  other-firm
	{"/", [7]string{login, "303 /team", "303 /team", "303 /team", "303 /reps/r0003", forbid, "303 /team"}},
	{"/team", [7]string{login, ok, ok, ok, "303 /reps/r0003", forbid, ok}},
	{"/team?period=2026-02&as_of=2026-02-20", [7]string{login, ok, ok, ok, "303 /reps/r0003?period=2026-02&as_of=2026-02-20", forbid, ok}},
	{"/reps/r0003", [7]string{login, ok, ok, hidden, ok, forbid, hidden}},
	{"/reps/r0005", [7]string{login, ok, ok, hidden, hidden, forbid, hidden}},
	{"/reps/r0002", [7]string{login, ok, hidden, ok, hidden, forbid, hidden}},
	{"/reps/r9999", [7]string{login, hidden, hidden, hidden, hidden, forbid, hidden}},
	{"/recipe", [7]string{login, ok, ok, ok, ok, forbid, ok}},
	{"/accuracy", [7]string{login, ok, ok, ok, ok, forbid, ok}},
	{"/pipeline", [7]string{login, ok, ok, ok, ok, forbid, ok}},
	{"/pipeline?firm=globex", [7]string{login, hidden, hidden, hidden, hidden, forbid, ok}},
	{"/review", [7]string{login, ok, ok, ok, "303 /review/r0003", forbid, ok}},
	{"/review/r0003", [7]string{login, ok, ok, hidden, ok, forbid, hidden}},
	{"/review/r0002", [7]string{login, ok, hidden, ok, hidden, forbid, hidden}},
	{"/api/v1/forecast", [7]string{unauth, ok, ok, ok, ok, forbid, ok}},
	{"/api/v1/forecast?firm=acme", [7]string{unauth, ok, ok, ok, ok, forbid, hidden}},
	{"/api/v1/forecast?firm=globex", [7]string{unauth, hidden, hidden, hidden, hidden, forbid, ok}},
	{"/api/v1/recipe", [7]string{unauth, ok, ok, ok, ok, forbid, hidden}},
	{"/api/v1/backtest", [7]string{unauth, ok, ok, ok, ok, forbid, ok}},
	{"/api/v1/reps/r0003", [7]string{unauth, ok, ok, hidden, ok, forbid, hidden}},
	{"/api/v1/reps/r0002", [7]string{unauth, ok, hidden, ok, hidden, forbid, hidden}},
	{"/api/v1/reps/r9999", [7]string{unauth, hidden, hidden, hidden, hidden, forbid, hidden}},
	{"/api/v1/pipeline", [7]string{unauth, ok, ok, ok, ok, forbid, ok}},
	{"/api/v1/pipeline?period=2026-13", [7]string{unauth, "400", "400", "400", "400", forbid, "400"}},
}

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
	f := newFixture(t)
	f.fit(t, testNow.Add(-24*time.Hour))
	for i, role := range roles {
		t.Run(role, func(t *testing.T) {
			secret := leaks(t, f, role)
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
	patterns = append(patterns, "/")
	for _, p := range patterns {
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(p), `\{rep_id\}`, "[^/]+") + "$")
		covered := false
		for _, rc := range routeCases {
			path, _, _ := strings.Cut(rc.target, "?")
			covered = covered || re.MatchString(path)
		}
		if !covered {
			t.Errorf("route %s has no case in routeCases", p)
		}
	}
}
