package dashboards

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	// A restart with the same session key still refuses it; another session lives on.
	other := signIn(t, f, "manager")
	f.srv = newServer(t, f.st, f.users, f.clock, f.refits, 3)
	for target, want := range map[string]int{"/recipe": http.StatusSeeOther, "/api/v1/recipe": http.StatusUnauthorized} {
		r := httptest.NewRequest("GET", target, nil)
		r.AddCookie(ses)
		if res := f.send(r); res.StatusCode != want || (want == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login")) {
			t.Errorf("after a restart the logged-out cookie on %s: %d %s", target, res.StatusCode, res.Header.Get("Location"))
		}
	}
	r := httptest.NewRequest("GET", "/recipe", nil)
	r.AddCookie(other)
	if res := f.send(r); res.StatusCode != http.StatusOK {
		t.Errorf("after a restart a session that did not log out: %d", res.StatusCode)
	}
}

// signIn signs in with the role's token by link and returns the session cookie.
func signIn(t *testing.T, f *fixture, role string) *http.Cookie {
	t.Helper()
	c := cookie(f.send(httptest.NewRequest("GET", withQuery("/login", "token", tokens[role]), nil)), sessionCookie)
	if c == nil {
		t.Fatalf("%s could not sign in", role)
	}
	return c
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

func TestTokenGuessing(t *testing.T) {
	f := emptyFixture(t)
	f.srv.gate.limit = newLimiter(5, 10*time.Second, f.clock.Now)
	ingest := f.srv.gate.Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := IngestAuthorizer(f.users)(r, ""); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	ways := []struct {
		name  string
		send  func(token, from string) int
		right string
		okay  int
	}{
		{"sign-in link", func(tok, from string) int {
			r := httptest.NewRequest("GET", withQuery("/login", "token", tok), nil)
			r.RemoteAddr = from
			res := f.send(r)
			if res.StatusCode == http.StatusSeeOther && !strings.Contains(res.Header.Get("Location"), "failed=1") {
				return http.StatusOK
			}
			return res.StatusCode
		}, tokens["admin"], http.StatusOK},
		{"API bearer", func(tok, from string) int {
			r := httptest.NewRequest("GET", "/api/v1/recipe?period=2026-13", nil)
			r.RemoteAddr = from
			r.Header.Set("Authorization", "Bearer "+tok)
			return f.send(r).StatusCode
		}, tokens["admin"], http.StatusBadRequest},
		{"ingest bearer", func(tok, from string) int {
			r := httptest.NewRequest("POST", "/api/v1/ingest/deals", nil)
			r.RemoteAddr = from
			r.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			ingest.ServeHTTP(w, r)
			return w.Code
		}, tokens["ingest"], http.StatusOK},
	}
	for i, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			guesser := fmt.Sprintf("198.51.100.%d:1000", i+1)
			var codes []int
			for range 8 {
				codes = append(codes, way.send("guess-guess-guess-guess-guess", guesser))
			}
			codes = append(codes, way.send(way.right, guesser))
			for n, c := range codes {
				if (n >= 5 && c != http.StatusTooManyRequests) || c == way.okay {
					t.Fatalf("attempt %d: %d; all answers %v (5 wrong may be tried, then 429 for right and wrong alike)", n+1, c, codes)
				}
			}
			if c := way.send(way.right, fmt.Sprintf("203.0.113.%d:1000", i+1)); c != way.okay {
				t.Errorf("another client with the right token: %d, want %d", c, way.okay)
			}
			f.clock.Add(10 * time.Second)
			if c := way.send(way.right, guesser); c != way.okay {
				t.Errorf("the guesser with the right token after one refill: %d, want %d", c, way.okay)
			}
		})
	}
}

func TestClientsBehindTrustedProxyAreLimitedApart(t *testing.T) {
	g := NewGate(GateConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	tests := []struct {
		from, xff, want string
	}{
		{"192.0.2.1:1", "", "192.0.2.1"},
		{"192.0.2.1:1", "203.0.113.9", "192.0.2.1"}, // an untrusted peer's header is ignored
		{proxyAddr, "203.0.113.9", "203.0.113.9"},
		{proxyAddr, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"}, // the client cannot choose its key
		{proxyAddr, "", "10.0.0.1"},
		{"[2001:db8:1:2:3::4]:1", "", "2001:db8:1:2::/64"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.from
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := g.Client(r); got != tt.want {
			t.Errorf("from %s with X-Forwarded-For %q: client %s, want %s", tt.from, tt.xff, got, tt.want)
		}
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
	r.RemoteAddr = proxyAddr
	res := f.send(r)
	if c := cookie(res, sessionCookie); c == nil || !c.Secure || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("behind a trusted TLS proxy: cookie %+v, HSTS %q", c, res.Header.Get("Strict-Transport-Security"))
	}
	r = httptest.NewRequest("GET", withQuery("/login", "token", tokens["admin"]), nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	res = f.send(r)
	if c := cookie(res, sessionCookie); c == nil || c.Secure || res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("an untrusted client's X-Forwarded-Proto was believed: cookie %+v", c)
	}
	r = httptest.NewRequest("GET", withQuery("/login", "token", tokens["admin"]), nil)
	r.TLS = &tls.ConnectionState{}
	res = f.send(r)
	if c := cookie(res, sessionCookie); c == nil || !c.Secure || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over TLS: cookie %+v", c)
	}
}

func TestAuthProxyHeader(t *testing.T) {
	f := emptyFixture(t)
	fromProxy := func(email string) *http.Request {
		r := httptest.NewRequest("GET", "/recipe", nil)
		r.RemoteAddr = proxyAddr
		r.Header.Set("X-Forwarded-Email", email)
		return r
	}
	if res := f.send(fromProxy("Ray@Acme.test")); res.StatusCode != http.StatusOK {
		t.Errorf("known e-mail: %d", res.StatusCode)
	}
	// A session cookie of another user in the same browser is ended, not kept beside the proxy's user.
	adaCookie := signIn(t, f, "admin")
	r := fromProxy("ray@acme.test")
	r.AddCookie(adaCookie)
	res := f.send(r)
	if c := cookie(res, sessionCookie); res.StatusCode != http.StatusOK || c == nil || c.MaxAge >= 0 {
		t.Errorf("proxy user beside another user's cookie: %d, cookie %+v", res.StatusCode, c)
	}
	r = httptest.NewRequest("GET", "/recipe", nil)
	r.AddCookie(adaCookie)
	if res := f.send(r); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other user's cookie still signs in after the proxy named someone else: %d", res.StatusCode)
	}
	f.srv.cfg.AuthProxyHeader = ""
	if res := f.send(fromProxy("ada@acme.test")); res.StatusCode != http.StatusSeeOther {
		t.Errorf("without --auth-proxy-header the header signed in: %d", res.StatusCode)
	}
	_, err := New(Config{Store: f.st, Users: f.users, SessionKey: []byte(strings.Repeat("k", 32)), AuthProxyHeader: "X-Forwarded-Email"})
	if err == nil || !strings.Contains(err.Error(), "trusted proxies") {
		t.Errorf("a proxy header without trusted proxies: %v", err)
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
		{"period=0000-01", "", "", `period "0000-01": out of range; want a time between 1971 and 2199`},
		{"period=9999-12", "", "", `period "9999-12": out of range; want a time between 1971 and 2199`},
		{"as_of=0001-01-01", "", "", `as_of "0001-01-01": out of range; want a time between 1971 and 2199`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			if tt.err != "" {
				if res := f.get(t, "admin", "/api/v1/pipeline?"+tt.query); res.StatusCode != http.StatusBadRequest || !strings.Contains(body(t, res), tt.err[strings.LastIndex(tt.err, `": `)+3:]) {
					t.Errorf("API: %d, want 400 with the message", res.StatusCode)
				}
			}
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
