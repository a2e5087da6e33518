package main

import (
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// TestDealsOnlyFirmCommands loads a firm without its activities and runs fit, forecast and backtest
// on it: each succeeds, the recipe's input is the new opportunities derived from the deals, and the
// forecast says so.
func TestDealsOnlyFirmCommands(t *testing.T) {
	store := loadedFiles(t, 14, "2026-06-01", "reps", "quotas", "stages", "deals")
	asOf := []string{"--as-of", "2026-05-16T08:00:00Z"}
	out, stderr, code := runBin(t, nil, append(append([]string{"fit"}, store...), asOf...)...)
	if code != 0 || !strings.Contains(out, "1 "+forecast.NewOpportunityKind+" ~ ") || !strings.Contains(out, "no activity rows") {
		t.Fatalf("fit: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runBin(t, nil, append(append([]string{"forecast", "--period", "2026-05"}, store...), asOf...)...)
	if code != 0 || !strings.Contains(out, "the recipe's input is "+forecast.NewOpportunityKind) {
		t.Fatalf("forecast: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runBin(t, nil, append([]string{"backtest", "--from", "2026-04", "--to", "2026-05", "--points", "1"}, store...)...)
	if code != 0 || !strings.Contains(out, "salesrecipe") || !strings.Contains(out, "run_rate") {
		t.Fatalf("backtest: exit %d\n%s%s", code, out, stderr)
	}
}
