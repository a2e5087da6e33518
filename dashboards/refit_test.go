package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fitLog records the refits a test Refitter runs; fail makes a firm's refits fail.
type fitLog struct {
	mu   sync.Mutex
	fits []string
	fail map[string]bool
}

// fit records one refit.
func (l *fitLog) fit(_ context.Context, firm string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fits = append(l.fits, firm)
	if l.fail[firm] {
		return errors.New("store down")
	}
	return nil
}

// take returns the refits since the last take.
func (l *fitLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.fits
	l.fits = nil
	return out
}

// newTestRefitter returns a started Refitter of firms on the clock c whose stored fits ran at last.
func newTestRefitter(t *testing.T, c *clock, l *fitLog, last map[string]time.Time, firms ...string) *Refitter {
	t.Helper()
	r, err := NewRefitter(RefitConfig{Firms: firms, Fit: l.fit, Now: c.Now,
		LastFit: func(_ context.Context, firm string) (time.Time, error) { return last[firm], nil }})
	if err != nil {
		t.Fatal(err)
	}
	r.start(t.Context())
	return r
}

func TestRefitterSchedule(t *testing.T) {
	type step struct {
		name    string
		advance time.Duration
		loaded  []string
		asked   []string
		want    []string // the refits runDue then runs, in order
	}
	tests := []struct {
		name  string
		fail  string
		last  map[string]time.Time
		steps []step
	}{
		{"loads are debounced and coalesced", "", map[string]time.Time{"acme": testNow.Add(-time.Hour), "globex": testNow.Add(-time.Hour)}, []step{
			{name: "fitted an hour ago: nothing due", want: nil},
			{name: "a load", loaded: []string{"acme"}, want: nil},
			{name: "another load 2 min later", advance: 2 * time.Minute, loaded: []string{"acme"}, want: nil},
			{name: "5 min after the first load: one refit for both", advance: 3 * time.Minute, want: []string{"acme"}},
			{name: "nothing more", advance: 10 * time.Minute, want: nil},
			{name: "a load right after the refit waits its 5 min", loaded: []string{"acme"}, want: nil},
			{name: "then refits", advance: 5 * time.Minute, want: []string{"acme"}},
		}},
		{"daily without loads", "", map[string]time.Time{"acme": testNow.Add(-time.Hour), "globex": testNow.Add(-2 * time.Hour)}, []step{
			{name: "21 h later nothing", advance: 21 * time.Hour, want: nil},
			{name: "a day after each fit, the longest due first", advance: 2 * time.Hour, want: []string{"globex", "acme"}},
			{name: "not again the same day", advance: 23 * time.Hour, want: nil},
			{name: "the next day", advance: time.Hour, want: []string{"acme", "globex"}},
		}},
		{"never fitted: at once", "", map[string]time.Time{"acme": testNow.Add(-time.Hour)}, []step{
			{name: "globex has no fit", want: []string{"globex"}},
		}},
		{"asked firms first", "", map[string]time.Time{"acme": testNow.Add(-25 * time.Hour), "globex": testNow.Add(-time.Hour)}, []step{
			{name: "globex asked, acme due", asked: []string{"globex"}, want: []string{"globex", "acme"}},
			{name: "a new firm asked", asked: []string{"initech"}, want: []string{"initech"}},
		}},
		{"a failure neither stops the others nor waits a day", "acme", map[string]time.Time{"acme": testNow.Add(-25 * time.Hour), "globex": testNow.Add(-25 * time.Hour)}, []step{
			{name: "acme fails, globex still refits", want: []string{"acme", "globex"}},
			{name: "acme retried an hour later", advance: time.Hour, want: []string{"acme"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: testNow}
			l := &fitLog{fail: map[string]bool{tt.fail: true}}
			r := newTestRefitter(t, c, l, tt.last, "acme", "globex")
			for _, s := range tt.steps {
				c.Add(s.advance)
				for _, f := range s.loaded {
					r.Loaded(f)
				}
				for _, f := range s.asked {
					if got := r.Request(f); got.State != "queued" {
						t.Errorf("%s: asking for %s: %+v", s.name, f, got)
					}
				}
				if n := r.runDue(t.Context()); n != len(s.want) {
					t.Errorf("%s: runDue ran %d refits", s.name, n)
				}
				if got := l.take(); !slices.Equal(got, s.want) {
					t.Errorf("%s: refits %v, want %v", s.name, got, s.want)
				}
			}
		})
	}
}

func TestRefitterRunsOneAtATime(t *testing.T) {
	c := &clock{t: testNow}
	started := make(chan string)
	release := make(chan struct{})
	var mu sync.Mutex
	inFlight, most := 0, 0
	done := make(chan error, 10)
	r, err := NewRefitter(RefitConfig{Now: c.Now,
		Fit: func(_ context.Context, firm string) error {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			started <- firm
			<-release
			mu.Lock()
			inFlight--
			mu.Unlock()
			if firm == "b" {
				return errors.New("thin data")
			}
			return nil
		},
		Done: func(_ string, _ time.Duration, err error) { done <- err },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { r.Run(ctx); close(stopped) }()
	r.Request("a")
	if got := <-started; got != "a" {
		t.Fatalf("first refit %s", got)
	}
	if st := r.Request("a"); st.State != "running" {
		t.Errorf("asking for the firm being refitted: %+v", st)
	}
	r.Request("b")
	r.Request("c")
	var order []string
	for range 2 {
		release <- struct{}{}
		<-done
		order = append(order, <-started)
	}
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Errorf("the last refit: %v", err)
	}
	mu.Lock()
	if !slices.Equal(order, []string{"b", "c"}) || most != 1 {
		t.Errorf("after a: %v; at most %d at once, want 1", order, most)
	}
	mu.Unlock()
	if st := r.Request("b"); st.LastError != "thin data" {
		t.Errorf("b's status after its failure: %+v", st)
	}
	<-started // b again, asked above
	cancel()
	release <- struct{}{}
	<-stopped
}

// post sends a POST with a form body; set adds credentials.
func (f *fixture) post(target string, form url.Values, set func(*http.Request)) *http.Response {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	set(r)
	return f.send(r)
}

func TestFitEndpointCredentials(t *testing.T) {
	f := emptyFixture(t)
	admin, manager := signIn(t, f, "admin"), signIn(t, f, "manager")
	page := httptest.NewRequest("GET", "/recipe", nil)
	page.AddCookie(admin)
	m := csrfField.FindStringSubmatch(body(t, f.send(page)))
	if m == nil {
		t.Fatal("no CSRF token on the admin's page")
	}
	withCookie := func(c *http.Cookie, h ...string) func(*http.Request) {
		return func(r *http.Request) {
			r.AddCookie(c)
			for i := 0; i+1 < len(h); i += 2 {
				r.Header.Set(h[i], h[i+1])
			}
		}
	}
	tests := []struct {
		name string
		csrf string
		set  func(*http.Request)
		want int
	}{
		{"admin bearer", "", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tokens["admin"]) }, http.StatusAccepted},
		{"admin session with its CSRF token", m[1], withCookie(admin), http.StatusAccepted},
		{"admin session without a CSRF token", "", withCookie(admin), http.StatusForbidden},
		{"admin session with a forged CSRF token", "forged", withCookie(admin), http.StatusForbidden},
		{"admin session from another site", m[1], withCookie(admin, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden},
		{"manager session", m[1], withCookie(manager), http.StatusForbidden},
		{"admin through the proxy", "", func(r *http.Request) {
			r.RemoteAddr = proxyAddr
			r.Header.Set("X-Forwarded-Email", "boss@acme.test")
		}, http.StatusForbidden},
		{"no credentials", "", func(*http.Request) {}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.post("/api/v1/fit", url.Values{"csrf": {tt.csrf}}, tt.set)
			b := body(t, res)
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.want, b)
			}
			if tt.want != http.StatusAccepted {
				return
			}
			var st RefitStatus
			if err := json.Unmarshal([]byte(b), &st); err != nil || st.Firm != "acme" || st.State != "queued" {
				t.Errorf("answer %s: %+v %v", b, st, err)
			}
		})
	}
}

func TestPagesKeepTheOldFitDuringARefit(t *testing.T) {
	f := newFixture(t)
	f.fit(t, testNow.Add(-48*time.Hour))
	recipe := func() (page, fittedAt string) {
		res := f.get(t, "admin", "/api/v1/recipe")
		var rc struct {
			FittedAt time.Time `json:"fitted_at"`
		}
		if err := json.Unmarshal([]byte(body(t, res)), &rc); err != nil {
			t.Fatal(err)
		}
		return body(t, f.get(t, "admin", "/recipe")), rc.FittedAt.UTC().Format(time.RFC3339)
	}
	page, at := recipe()
	if !strings.Contains(page, "Fitted 2 days ago on data up to 2026-03-16 10:30 UTC") || at != "2026-03-16T10:30:00Z" {
		t.Fatalf("before the refit: fitted_at %s, page:\n%.2000s", at, page)
	}
	started, release := make(chan struct{}), make(chan struct{})
	f.beforeFit = func() {
		close(started)
		<-release
	}
	f.clock.Add(2 * time.Minute) // past the pages' freshness
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { f.refits.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	if res := f.get(t, "admin", "POST /api/v1/fit"); res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/v1/fit: %d", res.StatusCode)
	}
	<-started
	if page, at = recipe(); !strings.Contains(page, "Fitted 2 days ago") || at != "2026-03-16T10:30:00Z" {
		t.Errorf("during the refit the pages must show the old fit: fitted_at %s", at)
	}
	close(release)
	if err := <-f.refitDone; err != nil {
		t.Fatal(err)
	}
	if page, at = recipe(); !strings.Contains(page, "Fitted just now on data up to 2026-03-18 10:32 UTC") || at != "2026-03-18T10:32:00Z" {
		t.Errorf("after the refit, at the same moment: fitted_at %s, page:\n%.2000s", at, page)
	}
}
