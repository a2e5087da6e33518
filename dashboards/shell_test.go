package dashboards

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

// emptyFixture is a server on an empty store: enough for sign-in and headers.
func emptyFixture(t *testing.T) *fixture {
	t.Helper()
	return startFixture(t, engine.Store(t, queries.Config{}))
}

// send serves one request and returns the response.
func (f *fixture) send(r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w.Result()
}

// cookie returns the named cookie a response sets, or nil.
func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestLoginByLinkStripsTokenAndSetsCookie(t *testing.T) {
	f := emptyFixture(t)
	var logs bytes.Buffer
	f.srv.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tests := []struct {
		name, role, next, want string
	}{
		{"rep lands on own page", "rep", "", "/reps/r0003"},
		{"manager lands on team", "manager", "", "/team"},
		{"next is kept", "manager", "/pipeline?period=2026-02", "/pipeline?period=2026-02"},
		{"next to another host is dropped", "admin", "//evil.example/x", "/team"},
		{"next with a scheme is dropped", "admin", "https://evil.example/", "/team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.send(httptest.NewRequest("GET", withQuery("/login", "token", tokens[tt.role], "next", tt.next), nil))
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tt.want {
				t.Fatalf("status %d location %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), tt.want)
			}
			c := cookie(res, sessionCookie)
			if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge != int((12*time.Hour).Seconds()) {
				t.Fatalf("session cookie %+v", c)
			}
			r := httptest.NewRequest("GET", tt.want, nil)
			r.AddCookie(c)
			if got := f.send(r); got.StatusCode == http.StatusSeeOther && strings.HasPrefix(got.Header.Get("Location"), "/login") {
				t.Errorf("the cookie does not sign in: %d %s", got.StatusCode, got.Header.Get("Location"))
			}
		})
	}
	if strings.Contains(logs.String(), "token-0") || strings.Contains(logs.String(), "token=") {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
	res := f.send(httptest.NewRequest("GET", withQuery("/login", "token", "wrong-token-0000000000"), nil))
	if res.StatusCode != http.StatusSeeOther || strings.Contains(res.Header.Get("Location"), "wrong") || cookie(res, sessionCookie) != nil {
		t.Errorf("a wrong token: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = f.send(httptest.NewRequest("GET", withQuery("/login", "token", tokens["ingest"]), nil))
	if cookie(res, sessionCookie) != nil {
		t.Error("an ingest token signed in to the dashboards")
	}
}

func TestLoginFormNeedsCSRF(t *testing.T) {
	f := emptyFixture(t)
	form := f.send(httptest.NewRequest("GET", "/login?next=/pipeline", nil))
	m := csrfField.FindStringSubmatch(body(t, form))
	lc := cookie(form, loginCookie)
	if m == nil || lc == nil {
		t.Fatalf("login form without CSRF token or cookie")
	}
	post := func(csrf string, withCookie bool, token string) *http.Response {
		v := url.Values{"csrf": {csrf}, "token": {token}, "next": {"/pipeline"}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			r.AddCookie(lc)
		}
		return f.send(r)
	}
	tests := []struct {
		name       string
		csrf       string
		withCookie bool
		token      string
		code       int
	}{
		{"no token field", "", true, tokens["manager"], http.StatusForbidden},
		{"forged token", "AAAA", true, tokens["manager"], http.StatusForbidden},
		{"no login cookie", m[1], false, tokens["manager"], http.StatusForbidden},
		{"wrong user token", m[1], true, "not-a-user-token-0000", http.StatusUnauthorized},
		{"valid", m[1], true, tokens["manager"], http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := post(tt.csrf, tt.withCookie, tt.token)
			if res.StatusCode != tt.code {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.code)
			}
			if (cookie(res, sessionCookie) != nil) != (tt.code == http.StatusSeeOther) {
				t.Errorf("session cookie set: %v", cookie(res, sessionCookie))
			}
		})
	}
	cross := httptest.NewRequest("POST", "/login", strings.NewReader("token=x"))
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := f.send(cross); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
}

func TestLogoutNeedsCSRFAndEndsTheSession(t *testing.T) {
	f := emptyFixture(t)
	login := f.send(httptest.NewRequest("GET", withQuery("/login", "token", tokens["admin"], "next", "/recipe"), nil))
	ses := cookie(login, sessionCookie)
	page := httptest.NewRequest("GET", "/recipe", nil)
	page.AddCookie(ses)
	m := csrfField.FindStringSubmatch(body(t, f.send(page)))
	if m == nil {
		t.Fatal("no logout form with a CSRF token")
	}
	logout := func(csrf string) *http.Response {
		r := httptest.NewRequest("POST", "/logout", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(ses)
		return f.send(r)
	}
	if res := logout("forged"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a forged CSRF token: %d", res.StatusCode)
	}
	if res := logout(m[1]); res.StatusCode != http.StatusSeeOther || cookie(res, sessionCookie).MaxAge >= 0 {
		t.Fatalf("logout: %d %+v", res.StatusCode, cookie(res, sessionCookie))
	}
	again := httptest.NewRequest("GET", "/recipe", nil)
	again.AddCookie(ses)
	if res := f.send(again); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the logged-out cookie still works: %d", res.StatusCode)
	}
}

func TestSessionCookieTamperingAndExpiry(t *testing.T) {
	f := emptyFixture(t)
	ses := cookie(f.send(httptest.NewRequest("GET", withQuery("/login", "token", tokens["rep"]), nil)), sessionCookie)
	payload, sig, _ := strings.Cut(ses.Value, ".")
	tests := []struct {
		name  string
		value string
		after time.Duration
		ok    bool
	}{
		{"valid", ses.Value, 0, true},
		{"changed signature", payload + "." + strings.Repeat("A", len(sig)), 0, false},
		{"changed payload", "x" + payload[1:] + "." + sig, 0, false},
		{"no signature", payload, 0, false},
		{"expired", ses.Value, 12*time.Hour + time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Add(tt.after)
			defer f.clock.Add(-tt.after)
			r := httptest.NewRequest("GET", "/recipe", nil)
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.value})
			res := f.send(r)
			if ok := res.StatusCode == http.StatusOK; ok != tt.ok {
				t.Errorf("status %d, want signed in = %v", res.StatusCode, tt.ok)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := emptyFixture(t)
	f.srv.limit = newLimiter(3, 10*time.Second, f.clock.Now)
	try := func(addr string) int {
		r := httptest.NewRequest("GET", withQuery("/login", "token", "guess-guess-guess-guess"), nil)
		r.RemoteAddr = addr
		return f.send(r).StatusCode
	}
	for i := range 3 {
		if code := try("192.0.2.1:1000"); code != http.StatusSeeOther {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if code := try("192.0.2.1:1001"); code != http.StatusTooManyRequests {
		t.Fatalf("4th attempt from the same address: %d, want 429", code)
	}
	if code := try("192.0.2.2:1000"); code != http.StatusSeeOther {
		t.Fatalf("another address is limited too: %d", code)
	}
	f.clock.Add(10 * time.Second)
	if code := try("192.0.2.1:1000"); code != http.StatusSeeOther {
		t.Fatalf("after the refill: %d", code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := emptyFixture(t)
	for _, target := range []string{"/login", "/recipe", "/assets/app.js", "/api/v1/recipe", "/nope"} {
		res := f.get(t, "admin", target)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q", target, h, got)
			}
		}
	}
	page := body(t, f.get(t, "admin", "/recipe"))
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+="|style="`).MatchString(strings.ReplaceAll(page, `<script type="application/json"`, "")) {
		t.Errorf("the page has inline script, an event handler attribute or an inline style:\n%s", page)
	}
	r := httptest.NewRequest("GET", withQuery("/login", "token", tokens["admin"]), nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	res := f.send(r)
	if c := cookie(res, sessionCookie); c == nil || !c.Secure || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("behind a TLS proxy: cookie %+v, HSTS %q", c, res.Header.Get("Strict-Transport-Security"))
	}
}

func TestAuthProxyHeader(t *testing.T) {
	f := emptyFixture(t)
	tests := []struct {
		name, email string
		code        int
	}{
		{"known e-mail", "Ray@Acme.test", http.StatusOK},
		{"unknown e-mail", "mallory@acme.test", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/recipe", nil)
			r.Header.Set("X-Forwarded-Email", tt.email)
			if res := f.send(r); res.StatusCode != tt.code {
				t.Errorf("status %d, want %d", res.StatusCode, tt.code)
			}
		})
	}
	f.srv.cfg.AuthProxyHeader = ""
	r := httptest.NewRequest("GET", "/recipe", nil)
	r.Header.Set("X-Forwarded-Email", "ada@acme.test")
	if res := f.send(r); res.StatusCode != http.StatusSeeOther {
		t.Errorf("without --auth-proxy-header the header signed in: %d", res.StatusCode)
	}
}

func TestAssetsAreEmbedded(t *testing.T) {
	f := emptyFixture(t)
	for _, name := range []string{"echarts.min.js", "app.js", "app.css"} {
		r := httptest.NewRequest("GET", "/assets/"+name, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		res := f.send(r)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == "" {
			t.Errorf("%s: %d %v", name, res.StatusCode, res.Header)
		}
		again := httptest.NewRequest("GET", "/assets/"+name, nil)
		again.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if res := f.send(again); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", name, res.StatusCode)
		}
	}
	if got := echartsScripts(); len(got) != 1 || got[0] != "/assets/echarts.min.js" {
		t.Errorf("go-echarts asks for %v", got)
	}
}

func TestParams(t *testing.T) {
	f := emptyFixture(t)
	tests := []struct {
		query, period, asOf, err string
	}{
		{"", "2026-03", "2026-03-18T10:30:00Z", ""},
		{"period=2026-Q1", "2026-Q1", "2026-03-18T10:30:00Z", ""},
		{"as_of=2026-02-10", "2026-02", "2026-02-10T23:59:59.999Z", ""},
		{"as_of=2026-02-10&period=2026-03", "2026-03", "2026-02-10T23:59:59.999Z", ""},
		{"as_of=2027-01-01", "2026-03", "2026-03-18T10:30:00Z", ""},
		{"as_of=2026-02-10T08:00:00%2B01:00", "2026-02", "2026-02-10T07:00:00Z", ""},
		{"period=2026-13", "", "", `period "2026-13": month must be 01 to 12`},
		{"as_of=yesterday", "", "", `as_of "yesterday": want YYYY-MM-DD or an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			p, err := f.srv.parseParams(q)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || p.period.String() != tt.period || p.asOf.Format(time.RFC3339Nano) != tt.asOf {
				t.Errorf("got %s %s %v", p.period, p.asOf.Format(time.RFC3339Nano), err)
			}
		})
	}
}

func TestCSVIsSafeForSpreadsheets(t *testing.T) {
	tbl := &table{ID: "x", Columns: []column{{Label: "Name"}, {Label: "Amount", Num: true}},
		Rows: [][]cell{{textCell("=HYPERLINK(\"x\")"), moneyCell(-12.5)}, {textCell("-bad"), moneyCell(1234567.891)}, {textCell("Ann, \"Jr\""), optMoneyCell(nil)}}}
	var b bytes.Buffer
	if err := tbl.writeCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "Name,Amount\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\n'-bad,1234567.89\n\"Ann, \"\"Jr\"\"\",\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v    float64
		dec  int
		want string
	}{
		{0, 0, "0"}, {999, 0, "999"}, {1000, 0, "1,000"}, {-1234567.4, 0, "-1,234,567"}, {-0.2, 0, "0"}, {12345.678, 1, "12,345.7"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.v, tt.dec); got != tt.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", tt.v, tt.dec, got, tt.want)
		}
	}
}
