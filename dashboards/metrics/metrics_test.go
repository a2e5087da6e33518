package metrics

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
)

func TestExpositionGolden(t *testing.T) {
	tests := []struct {
		name   string
		perRep bool
		golden string
	}{
		{"per rep", true, "acme_per_rep.prom"},
		{"teams only", false, "acme_teams_only.prom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}
			m, reg := newTestMetrics(t, src, tt.perRep)
			if err := m.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, exposition(t, reg))
		})
	}
}

func TestDerivedValues(t *testing.T) {
	tests := []struct {
		name                            string
		row                             Row
		shortfall, attainment, coverage float64
	}{
		{"behind", Row{Forecast: 20, Quota: 100, ClosedWon: 10, PipelineOpen: 90}, 80, 0.2, 1},
		{"ahead: shortfall floored at 0", Row{Forecast: 130, Quota: 100, ClosedWon: 60, PipelineOpen: 80}, 0, 1.3, 2},
		{"no quota: no attainment, no coverage", Row{Forecast: 50, PipelineOpen: 10}, 0, math.NaN(), math.NaN()},
		{"quota met: no coverage", Row{Forecast: 120, Quota: 100, ClosedWon: 100, PipelineOpen: 10}, 0, 1.2, math.NaN()},
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Shortfall(); !same(got, tt.shortfall) {
				t.Errorf("Shortfall = %v, want %v", got, tt.shortfall)
			}
			if got := tt.row.Attainment(); !same(got, tt.attainment) {
				t.Errorf("Attainment = %v, want %v", got, tt.attainment)
			}
			if got := tt.row.Coverage(); !same(got, tt.coverage) {
				t.Errorf("Coverage = %v, want %v", got, tt.coverage)
			}
		})
	}
}

func TestSnapshotValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Snapshot)
		want   string // substring of the error; empty means valid
	}{
		{"valid", func(*Snapshot) {}, ""},
		{"no firm", func(s *Snapshot) { s.Firm = "" }, "firm is empty"},
		{"no period", func(s *Snapshot) { s.Period = salesrecipe.Period{} }, "not a valid period"},
		{"rep twice", func(s *Snapshot) { s.Reps = append(s.Reps, s.Reps[0]) }, `rep "r1" appears twice`},
		{"rep row without rep", func(s *Snapshot) { s.Reps[1].Rep = "" }, "has no rep"},
		{"team twice", func(s *Snapshot) { s.Teams = append(s.Teams, s.Teams[0]) }, `team "east" appears twice`},
		{"team row naming a rep", func(s *Snapshot) { s.Teams[0].Rep = "r1" }, `names rep "r1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := acme()
			tt.change(&s)
			err := s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestLint runs promlint over every family the package emits, each populated.
func TestLint(t *testing.T) {
	src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}
	m, reg := newTestMetrics(t, src, true)
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.ObserveIngest("acme", ingest.KindDeals, ingest.Result{Read: 3, Loaded: 2, Duplicates: 1}, nil)
	m.ObserveRefit("acme", time.Second, nil)
	m.refreshErrors.WithLabelValues("acme").Add(0)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	m.InstrumentHTTP(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	if n := testutil.CollectAndCount(collector{m}); n < 40 {
		t.Errorf("collector emitted %d series, want every family populated", n)
	}
}

func TestFailedRefreshKeepsValues(t *testing.T) {
	src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}, failing: map[string]bool{}}
	m, reg := newTestMetrics(t, src, true)
	ctx := context.Background()
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	forecast := `salesrecipe_rep_forecast{firm="acme",rep="r1",team="east"} 20000`
	before := string(exposition(t, reg))
	changed := acme()
	changed.Reps[0].Forecast = 99999
	src.set(changed)
	src.fail("acme", true)
	if err := m.Refresh(ctx); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Refresh() = %v, want the source's error", err)
	}
	after := string(exposition(t, reg))
	for _, want := range []string{forecast, `salesrecipe_refresh_up{firm="acme"} 0`, `salesrecipe_refresh_errors_total{firm="acme"} 1`} {
		if !strings.Contains(after, want) {
			t.Errorf("after a failed refresh the exposition lacks %q", want)
		}
	}
	if lastOK := `salesrecipe_refresh_last_success_timestamp_seconds{firm="acme"} `; line(before, lastOK) != line(after, lastOK) {
		t.Errorf("last success moved on a failed refresh: %q -> %q", line(before, lastOK), line(after, lastOK))
	}
	src.fail("acme", false)
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	recovered := string(exposition(t, reg))
	for _, want := range []string{`salesrecipe_rep_forecast{firm="acme",rep="r1",team="east"} 99999`, `salesrecipe_refresh_up{firm="acme"} 1`} {
		if !strings.Contains(recovered, want) {
			t.Errorf("after recovery the exposition lacks %q", want)
		}
	}
}

func TestFirmListingFailure(t *testing.T) {
	src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}
	m, reg := newTestMetrics(t, src, false)
	ctx := context.Background()
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	src.listErr = errors.New("clickhouse: timeout")
	if err := m.Refresh(ctx); err == nil {
		t.Fatal("Refresh() = nil, want the listing error")
	}
	got := string(exposition(t, reg))
	for _, want := range []string{`salesrecipe_refresh_up{firm="acme"} 0`, `salesrecipe_team_forecast{firm="acme",team="east"} 115000`} {
		if !strings.Contains(got, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestFirmNeverLoaded(t *testing.T) {
	src := &fakeSource{firms: []string{"acme", "bad"}, snaps: map[string]Snapshot{"acme": acme()}, failing: map[string]bool{"bad": true}}
	m, reg := newTestMetrics(t, src, true)
	if err := m.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh() = nil, want the failing firm's error")
	}
	got := string(exposition(t, reg))
	if !strings.Contains(got, `salesrecipe_refresh_up{firm="bad"} 0`) {
		t.Error("a firm that never loaded is not reported down")
	}
	if strings.Contains(got, `salesrecipe_firm_info{firm="bad"`) {
		t.Error("a firm that never loaded has values")
	}
	if !strings.Contains(got, `salesrecipe_refresh_up{firm="acme"} 1`) {
		t.Error("one firm's failure took the other down")
	}
}

func TestInvalidSnapshotIsAFailure(t *testing.T) {
	bad := acme()
	bad.Reps = append(bad.Reps, bad.Reps[0])
	src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": bad}}
	m, reg := newTestMetrics(t, src, true)
	if err := m.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("Refresh() = %v, want the validation error", err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gather after an invalid snapshot: %v", err)
	}
}

// TestScrapeDoesNotWaitOnSource scrapes while a refresh is stuck in the source.
func TestScrapeDoesNotWaitOnSource(t *testing.T) {
	src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}
	m, reg := newTestMetrics(t, src, true)
	ctx := context.Background()
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	src.block, src.started = make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() { done <- m.Refresh(ctx) }()
	<-src.started
	scraped := make(chan string)
	go func() { scraped <- string(exposition(t, reg)) }()
	select {
	case got := <-scraped:
		if !strings.Contains(got, `salesrecipe_rep_forecast{firm="acme",rep="r1",team="east"} 20000`) {
			t.Error("a scrape during a refresh lost the cached values")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a scrape waited on the source")
	}
	close(src.block)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunRefreshesUntilCancelled runs the loop with a short interval.
func TestRunRefreshesUntilCancelled(t *testing.T) {
	src := &countingSource{fakeSource: fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}}
	reg := prometheus.NewRegistry()
	m, err := New(Config{Registerer: reg, Source: src, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { m.Run(ctx); close(stopped) }()
	deadline := time.Now().Add(10 * time.Second)
	for src.calls() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	if n := src.calls(); n < 3 {
		t.Fatalf("Run refreshed %d times in 10 s, want at least 3", n)
	}
}

// countingSource counts snapshot calls.
type countingSource struct {
	fakeSource
	mu sync.Mutex
	n  int
}

// Snapshot counts the call and answers as fakeSource does.
func (s *countingSource) Snapshot(ctx context.Context, firm string, now time.Time) (Snapshot, error) {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return s.fakeSource.Snapshot(ctx, firm, now)
}

// calls returns how many snapshots were asked for.
func (s *countingSource) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func TestNewNeedsRegisterer(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a Registerer succeeded")
	}
	reg := prometheus.NewRegistry()
	if _, err := New(Config{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Registerer: reg}); err == nil {
		t.Fatal("registering twice on one registry succeeded")
	}
}

// line returns the line of s that starts with prefix.
func line(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
