package dashboards

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// putCall sends PUT /api/v1/calls as a role and returns the status and body.
func putCall(t *testing.T, f *fixture, role, payload string) (int, string) {
	t.Helper()
	res := f.get(t, role, "PUT /api/v1/calls "+payload)
	return res.StatusCode, body(t, res)
}

// readCalls reads GET /api/v1/calls as a role.
func readCalls(t *testing.T, f *fixture, role, query string) Calls {
	t.Helper()
	res := f.get(t, role, "/api/v1/calls?"+query)
	b := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET calls as %s: %d %s", role, res.StatusCode, b)
	}
	var c Calls
	if err := json.Unmarshal([]byte(b), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// callsSubmitReadAndShow submits calls for the fixture's current period through the API and
// checks what each role reads back and what the pages show; TestAPIGolden runs it on its fitted
// fixture (the calls of the current period change none of its golden answers).
func callsSubmitReadAndShow(t *testing.T, f *fixture) {
	t.Run("bad input is 400 naming the field", func(t *testing.T) {
		tests := []struct{ name, payload, field string }{
			{"no period", `{"rep_id":"r0003","commit":1,"best_case":2}`, "period"},
			{"unknown period format", `{"period":"2026-13","rep_id":"r0003","commit":1,"best_case":2}`, "period"},
			{"period out of range", `{"period":"1900-01","rep_id":"r0003","commit":1,"best_case":2}`, "period"},
			{"commit above best case", `{"period":"2026-03","rep_id":"r0003","commit":3,"best_case":2}`, "commit"},
			{"negative commit", `{"period":"2026-03","rep_id":"r0003","commit":-1,"best_case":2}`, "commit"},
			{"best case out of range", `{"period":"2026-03","rep_id":"r0003","commit":1,"best_case":1e20}`, "best_case"},
			{"fractions of a cent", `{"period":"2026-03","rep_id":"r0003","commit":1.001,"best_case":2}`, "commit"},
			{"no commit", `{"period":"2026-03","rep_id":"r0003","best_case":2}`, "commit"},
			{"neither rep nor team", `{"period":"2026-03","commit":1,"best_case":2}`, "rep_id"},
			{"rep and team", `{"period":"2026-03","rep_id":"r0003","team":"East","commit":1,"best_case":2}`, "team"},
			{"unknown rep", `{"period":"2026-03","rep_id":"r9999","commit":1,"best_case":2}`, "rep_id"},
			{"unknown team", `{"period":"2026-03","team":"North","commit":1,"best_case":2}`, "team"},
			{"note too long", `{"period":"2026-03","rep_id":"r0003","commit":1,"best_case":2,"note":"` + strings.Repeat("x", 2001) + `"}`, "note"},
			{"unknown field", `{"period":"2026-03","rep_id":"r0003","commit":1,"best_case":2,"quota":5}`, "body"},
			{"not JSON", `commit=1`, "body"},
		}
		for _, tt := range tests {
			code, b := putCall(t, f, "admin", tt.payload)
			if code != http.StatusBadRequest || !strings.Contains(b, tt.field+":") {
				t.Errorf("%s: %d %s, want 400 naming %s", tt.name, code, b, tt.field)
			}
		}
		if got := readCalls(t, f, "admin", "period=2026-03"); len(got.Calls) != 0 {
			t.Errorf("refused calls were stored: %+v", got.Calls)
		}
	})
	t.Run("submit and read", func(t *testing.T) {
		for _, c := range []struct{ role, payload string }{
			{"rep", `{"period":"2026-03","rep_id":"r0003","commit":1000,"best_case":2000,"note":"first"}`},
			{"rep", `{"period":"2026-03","rep_id":"r0003","commit":1500,"best_case":2500,"note":"Acme signs"}`},
			{"manager", `{"period":"2026-03","team":"East","commit":900000000,"best_case":990000000,"note":"happy ears"}`},
			{"west-manager", `{"period":"2026-03","rep_id":"r0002","commit":5,"best_case":6}`},
		} {
			if code, b := putCall(t, f, c.role, c.payload); code != http.StatusCreated {
				t.Fatalf("%s: %d %s", c.payload, code, b)
			}
			f.clock.Add(time.Minute)
		}
		rep := readCalls(t, f, "rep", "period=2026-03")
		if len(rep.Calls) != 1 || rep.Calls[0].RepID != "r0003" || len(rep.Calls[0].History) != 2 || rep.Calls[0].Latest.Note != "Acme signs" {
			t.Fatalf("the rep's calls: %+v", rep.Calls)
		}
		r := rep.Calls[0]
		if r.Model == nil || r.CommitMinusForecast == nil || *r.CommitMinusForecast != round2(1500-r.Model.Forecast) ||
			r.OutsideInterval != (1500 < r.Model.Low || 1500 > r.Model.High) || r.Latest.SubmittedBy != "Ray Rep" {
			t.Errorf("the model beside the rep's call: %+v %+v", r.Model, r)
		}
		mgr := readCalls(t, f, "manager", "period=2026-03")
		var levels []string
		for _, c := range mgr.Calls {
			levels = append(levels, c.Level+":"+c.RepID+map[bool]string{true: c.Team}[c.Level == "team"])
			if c.Level == "team" && !c.OutsideInterval {
				t.Errorf("a team commit of 900,000,000 is inside the model's interval: %+v", c.Model)
			}
		}
		if strings.Join(levels, ",") != "team:East,rep:r0003" {
			t.Errorf("the East manager sees %v", levels)
		}
		before := readCalls(t, f, "admin", "period=2026-03&as_of="+url.QueryEscape(testNow.Add(30*time.Second).Format(time.RFC3339)))
		if len(before.Calls) != 1 || len(before.Calls[0].History) != 1 {
			t.Errorf("as of the first call, the admin sees %+v", before.Calls)
		}
	})
	t.Run("pages", func(t *testing.T) {
		for _, tt := range []struct {
			role, path  string
			want, never []string
		}{
			{"rep", "/reps/r0003", []string{"My call for 2026-03", "Acme signs", `name="rep_id" value="r0003"`, "Submit call"}, []string{"happy ears"}},
			{"manager", "/team", []string{"Calls for 2026-03", "Team East", "⚑ above the 80% interval", "Acme signs", "Submit team call"}, []string{"r0002"}},
			{"manager", "/review", []string{"Calls changed in the last 7 days", "happy ears", "&#43;500"}, []string{"r0002"}},
		} {
			b := body(t, f.get(t, tt.role, tt.path))
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("%s as %s lacks %q", tt.path, tt.role, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(b, n) {
					t.Errorf("%s as %s shows %q", tt.path, tt.role, n)
				}
			}
		}
	})
}

func TestCallFormsNeedCSRF(t *testing.T) {
	f := emptyFixture(t)
	ses := signIn(t, f, "admin")
	page := httptest.NewRequest("GET", "/recipe", nil)
	page.AddCookie(ses)
	m := csrfField.FindStringSubmatch(body(t, f.send(page)))
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	send := func(method, path, content, ctype, header string) *http.Response {
		r := httptest.NewRequest(method, path, strings.NewReader(content))
		r.Header.Set("Content-Type", ctype)
		if header != "" {
			r.Header.Set("X-CSRF-Token", header)
		}
		r.AddCookie(ses)
		return f.send(r)
	}
	// The empty firm has no reps: a call that passes the CSRF check is refused for its rep (400).
	call := `{"period":"2026-03","rep_id":"r0003","commit":1,"best_case":2}`
	form := url.Values{"period": {"2026-03"}, "rep_id": {"r0003"}, "commit": {"1"}, "best_case": {"2"}}
	for _, tt := range []struct {
		name string
		res  *http.Response
		want int
	}{
		{"PUT without a token", send("PUT", "/api/v1/calls", call, "application/json", ""), http.StatusForbidden},
		{"PUT with a forged token", send("PUT", "/api/v1/calls", call, "application/json", "forged"), http.StatusForbidden},
		{"PUT with the session's token", send("PUT", "/api/v1/calls", call, "application/json", m[1]), http.StatusBadRequest},
		{"form without a token", send("POST", "/calls", form.Encode(), "application/x-www-form-urlencoded", ""), http.StatusForbidden},
		{"form with the session's token", send("POST", "/calls", form.Encode()+"&csrf="+url.QueryEscape(m[1]), "application/x-www-form-urlencoded", ""), http.StatusBadRequest},
	} {
		if tt.res.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d: %s", tt.name, tt.res.StatusCode, tt.want, body(t, tt.res))
		}
	}
}

// savePastCalls stores calls for the backtested months as if submitted then: r0003 sandbags
// (commits half of a round guess early in each month), r0005 calls high, East's manager calls the
// team; one call made after every backtested moment of its month is never scored.
func savePastCalls(t *testing.T, f *fixture) {
	t.Helper()
	for _, month := range []string{"2025-12", "2026-01", "2026-02"} {
		p, err := salesrecipe.ParsePeriod(month)
		if err != nil {
			t.Fatal(err)
		}
		day := func(d int) time.Time { return p.Start.AddDate(0, 0, d-1).Add(9 * time.Hour) }
		for _, c := range []salesrecipe.Call{
			{Period: p, RepID: "r0003", Team: "East", Commit: 10000, BestCase: 20000, SubmittedBy: "Ray Rep", SubmittedAt: day(2)},
			{Period: p, RepID: "r0005", Team: "East", Commit: 150000, BestCase: 200000, SubmittedBy: "Max Manager", SubmittedAt: day(2)},
			{Period: p, Team: "East", Commit: 300000, BestCase: 400000, SubmittedBy: "Max Manager", SubmittedAt: day(3)},
			{Period: p, RepID: "r0003", Team: "East", Commit: 1e9, BestCase: 1e9, SubmittedBy: "Ray Rep", SubmittedAt: p.End().Add(-time.Hour)},
		} {
			if err := f.st.SaveCall(context.Background(), "acme", c); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// accuracyScoresCalls checks the accuracy page's table of calls (savePastCalls made them): the
// manager sees the sandbagger, the over-caller and the team call; the rep only their own.
func accuracyScoresCalls(t *testing.T, f *fixture) {
	t.Helper()
	for _, tt := range []struct {
		role        string
		want, never []string
	}{
		{"manager", []string{"People&#39;s calls vs the model", "Mateo Patel", "under-calls (sandbagger)", "over-calls (happy ears)", "manager_commit", "Team East"}, nil},
		{"rep", []string{"under-calls (sandbagger)", "rep_commit"}, []string{"happy ears)", "Team East"}},
	} {
		b := body(t, f.get(t, tt.role, "/accuracy?"+pinned))
		i := strings.Index(b, `id="call-scores"`)
		if i < 0 {
			t.Fatalf("no calls section on /accuracy as %s", tt.role)
		}
		sec := b[i:]
		for _, w := range tt.want {
			if !strings.Contains(sec, w) {
				t.Errorf("/accuracy as %s lacks %q", tt.role, w)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(sec, n) {
				t.Errorf("/accuracy as %s shows %q", tt.role, n)
			}
		}
	}
}

func TestProxyUserCallsNeedABearerToken(t *testing.T) {
	f := emptyFixture(t)
	for _, token := range []string{"", "forged"} {
		r := httptest.NewRequest("PUT", "/api/v1/calls", strings.NewReader(`{"period":"2026-03","rep_id":"r0003","commit":1,"best_case":2}`))
		r.RemoteAddr = proxyAddr
		r.Header.Set("X-Forwarded-Email", "boss@acme.test")
		r.Header.Set("X-CSRF-Token", token)
		res := f.send(r)
		if b := body(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(b, "bearer token") {
			t.Errorf("a proxy user's call with token %q: %d %s", token, res.StatusCode, b)
		}
	}
}
