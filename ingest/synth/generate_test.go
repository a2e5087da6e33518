package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := generate(t, testConfig(8, 6, 42)), generate(t, testConfig(8, 6, 42))
	for name, pair := range map[string][2]*bytes.Buffer{
		"reps": {&a.reps, &b.reps}, "quotas": {&a.quotas, &b.quotas}, "stages": {&a.stages, &b.stages},
		"activities": {&a.acts, &b.acts}, "deals": {&a.deals, &b.deals},
	} {
		if !bytes.Equal(pair[0].Bytes(), pair[1].Bytes()) {
			t.Errorf("%s differ between two runs with the same seed", name)
		}
	}
	if c := generate(t, testConfig(8, 6, 43)); bytes.Equal(a.acts.Bytes(), c.acts.Bytes()) {
		t.Error("seeds 42 and 43 give the same activities")
	}
}

func TestGolden(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("golden bytes are pinned on amd64; other architectures may fuse floating-point operations")
	}
	cfg := testConfig(3, 2, 7)
	cfg.ActivitiesPerDay = 1
	cfg.Shortfall = true
	dir := t.TempDir()
	if _, err := WriteDir(context.Background(), dir, cfg); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"reps.csv", "quotas.csv", "stages.csv", "activities.csv", "deals.csv", "truth.json"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "tiny", name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update if the change is intended)", name, golden)
		}
	}
}

func TestWriteDirTruthRoundTrips(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "firm")
	want, err := WriteDir(context.Background(), dir, testConfig(4, 3, 9))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadTruth(f)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Error("truth.json does not decode to the returned Truth")
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after--; w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestGenerateErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bad := testConfig(2, 2, 1)
	bad.Reps = 0
	ok := Writers{io.Discard, io.Discard, io.Discard, io.Discard, io.Discard}
	broken := ok
	broken.Activities = &failingWriter{after: 1}
	tests := []struct {
		name string
		ctx  context.Context
		cfg  Config
		w    Writers
		want error
	}{
		{"invalid config", context.Background(), bad, ok, nil},
		{"missing writer", context.Background(), testConfig(2, 2, 1), Writers{}, nil},
		{"cancelled", cancelled, testConfig(2, 2, 1), ok, context.Canceled},
		{"write fails", context.Background(), testConfig(20, 6, 1), broken, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.ctx, tc.cfg, tc.w)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	mod := func(f func(*Config)) Config {
		c := testConfig(5, 5, 1)
		c.Kinds = DefaultKinds()
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default with end", mod(func(*Config) {}), true},
		{"no reps", mod(func(c *Config) { c.Reps = 0 }), false},
		{"no months", mod(func(c *Config) { c.Months = 0 }), false},
		{"no end", mod(func(c *Config) { c.End = time.Time{} }), false},
		{"no activity", mod(func(c *Config) { c.ActivitiesPerDay = 0 }), false},
		{"no kinds", mod(func(c *Config) { c.Kinds = nil }), false},
		{"duplicate kind", mod(func(c *Config) { c.Kinds[1].Name = "call" }), false},
		{"comma in kind", mod(func(c *Config) { c.Kinds[0].Name = "a,b" }), false},
		{"zero share", mod(func(c *Config) { c.Kinds[0].Share = 0 }), false},
		{"probability above one", mod(func(c *Config) { c.Kinds[0].SourceProb = 1.5 }), false},
		{"sourcing without amount", mod(func(c *Config) { c.Kinds[0].MeanAmount = 0 }), false},
		{"closed entry stage", mod(func(c *Config) { c.Kinds[0].EntryStage = "closed_won" }), false},
		{"lag too long", mod(func(c *Config) { c.Kinds[0].MaxLag = 99 }), false},
		{"negative amount sigma", mod(func(c *Config) { c.AmountSigma = -0.1 }), false},
		{"amount sigma too wide", mod(func(c *Config) { c.AmountSigma = 3 }), false},
		{"list prices", mod(func(c *Config) { c.AmountSigma = 0.3 }), true},
		{"custom kinds", mod(func(c *Config) {
			c.Kinds = []Kind{{Name: "visit", Share: 1, SourceProb: 0.1, MeanAmount: 5, EntryStage: "discovery"}}
		}), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestConfigStart(t *testing.T) {
	tests := []struct {
		end    time.Time
		months int
		want   string
	}{
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 24, "2023-01-01"},
		{time.Date(2025, 3, 14, 13, 30, 0, 0, time.UTC), 3, "2025-01-01"},
		{time.Date(2025, 3, 1, 0, 0, 1, 0, time.UTC), 1, "2025-03-01"},
	}
	for _, tc := range tests {
		c := Config{End: tc.end, Months: tc.months}
		if got := c.Start().Format(time.DateOnly); got != tc.want {
			t.Errorf("Start() with end %v, %d months = %s, want %s", tc.end, tc.months, got, tc.want)
		}
	}
}

// appendTimestamp appends unix as RFC 3339 UTC with second precision.
func appendTimestamp(b []byte, unix int64) []byte {
	var c stamper
	return c.append(b, unix)
}

func TestAppendTimestamp(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 12, 31, 8, 5, 9, 0, time.UTC),
		time.Date(2100, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		if got, want := string(appendTimestamp(nil, ts.Unix())), ts.Format(time.RFC3339); got != want {
			t.Errorf("appendTimestamp(%d) = %s, want %s", ts.Unix(), got, want)
		}
	}
}

func TestAppendPadded(t *testing.T) {
	tests := []struct {
		v     int64
		width int
		want  string
	}{
		{0, 1, "0"}, {0, 4, "0000"}, {7, 3, "007"}, {42, 2, "42"}, {123, 2, "123"},
		{1000, 4, "1000"}, {98765, 7, "0098765"}, {1234567890123, 1, "1234567890123"},
	}
	for _, tc := range tests {
		if got := string(appendPadded([]byte("x"), tc.v, tc.width)); got != "x"+tc.want {
			t.Errorf("appendPadded(%d, %d) = %q, want %q", tc.v, tc.width, got, "x"+tc.want)
		}
	}
}

func TestCounterCarries(t *testing.T) {
	c := newCounter('a', 2)
	var got []string
	for range 101 {
		got = append(got, string(c.next()))
	}
	if got[0] != "a01" || got[8] != "a09" || got[9] != "a10" || got[98] != "a99" || got[99] != "a100" || got[100] != "a101" {
		t.Errorf("counter went %v", got)
	}
}
