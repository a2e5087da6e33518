package metrics

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/salesrecipe/salesrecipe"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// t0 is the fixed moment the tests refresh at: 20 days into November 2026.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fakeClock returns times that advance by step on every call.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// Now returns the current fake time and advances it.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// fakeSource answers snapshots from a map; err, when set, fails the named firms.
type fakeSource struct {
	mu       sync.Mutex
	firms    []string
	listErr  error
	snaps    map[string]Snapshot
	failing  map[string]bool
	block    chan struct{} // when set, Snapshot waits for it to close
	started  chan struct{} // when set, closed by the first Snapshot call
	startOne sync.Once
}

// Firms lists the configured firms.
func (s *fakeSource) Firms(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.firms...), s.listErr
}

// Snapshot returns the configured snapshot, or an error for a failing firm.
func (s *fakeSource) Snapshot(ctx context.Context, firm string, _ time.Time) (Snapshot, error) {
	if s.started != nil {
		s.startOne.Do(func() { close(s.started) })
	}
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing[firm] {
		return Snapshot{}, errors.New("clickhouse: connection refused")
	}
	return s.snaps[firm], nil
}

// set replaces the snapshot of a firm.
func (s *fakeSource) set(snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snaps[snap.Firm] = snap
}

// fail makes a firm's refresh fail or succeed.
func (s *fakeSource) fail(firm string, failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing[firm] = failing
}

// acme is a firm of two teams: east has a rep far below quota, west has a rep past quota
// and a rep without a quota.
func acme() Snapshot {
	return Snapshot{
		Firm:     "acme",
		Currency: "EUR",
		Period:   salesrecipe.NewPeriod(salesrecipe.GrainMonth, t0),
		Reps: []Row{
			{Team: "east", Rep: "r1", Forecast: 20000, Low: 15000, High: 30000, Quota: 100000, ClosedWon: 10000, PipelineOpen: 60000, FromPipeline: 7000, FromNewBusiness: 3000, PipelineWeighted: 10000, RequiredCoverage: 3,
				Call: &Call{Commit: 40000, BestCase: 60000, SubmittedAt: t0.Add(-72 * time.Hour)}},
			{Team: "east", Rep: "r2", Forecast: 95000, Low: 80000, High: 120000, Quota: 90000, ClosedWon: 50000, PipelineOpen: 150000, FromPipeline: 31500, FromNewBusiness: 13500, PipelineWeighted: 45000, RequiredCoverage: 3},
			{Team: "west", Rep: "r3", Forecast: 130000, Low: 125000, High: 140000, Quota: 100000, ClosedWon: 120000, PipelineOpen: 20000, FromPipeline: 7000, FromNewBusiness: 3000, PipelineWeighted: 10000, RequiredCoverage: 3},
			{Team: "west", Rep: "r4", Forecast: 5000, Low: 0, High: 12000, ClosedWon: 0, PipelineOpen: 12000, FromPipeline: 3500, FromNewBusiness: 1500, PipelineWeighted: 5000, RequiredCoverage: math.NaN()},
		},
		Teams: []Row{
			{Team: "east", Forecast: 115000, Low: 100000, High: 140000, Quota: 190000, ClosedWon: 60000, PipelineOpen: 210000, FromPipeline: 38500, FromNewBusiness: 16500, PipelineWeighted: 55000, RequiredCoverage: 3,
				Call: &Call{Commit: 150000, BestCase: 175000, SubmittedAt: t0.Add(-48 * time.Hour)}},
			{Team: "west", Forecast: 135000, Low: 128000, High: 148000, Quota: 100000, ClosedWon: 120000, PipelineOpen: 32000, FromPipeline: 10500, FromNewBusiness: 4500, PipelineWeighted: 15000, RequiredCoverage: 3},
		},
		RecipeCVWAPE: 0.31,
		FitDuration:  2500 * time.Millisecond,
		LastFit:      t0.Add(-6 * time.Hour),
		LastForecast: t0.Add(-time.Minute),
		LastIngest: map[string]time.Time{
			"reps":       t0.Add(-72 * time.Hour),
			"activities": t0.Add(-2 * time.Hour),
			"deals":      t0.Add(-3 * time.Hour),
		},
	}
}

// newTestMetrics returns metrics on a fresh registry over src, with a clock stepping 250 ms per call.
func newTestMetrics(t *testing.T, src Source, perRep bool) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m, err := New(Config{Registerer: reg, Source: src, PerRep: perRep, Interval: time.Hour,
		Now: (&fakeClock{now: t0, step: 250 * time.Millisecond}).Now})
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

// exposition renders what the registry gathers in the text format.
func exposition(t *testing.T, g prometheus.Gatherer) []byte {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := readGolden(name)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Errorf("exposition differs from %s (go test -update rewrites it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// readGolden reads testdata/name.
func readGolden(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	return string(b), err
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range bytes.Split([]byte(s), []byte("\n")) {
			m[string(l)] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b bytes.Buffer
	for l := range w {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for l := range g {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
