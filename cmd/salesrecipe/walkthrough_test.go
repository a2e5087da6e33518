package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// openDealsSQL counts the deals open on 2025-08-16 and their stored amount: a snapshot export knows an open deal's
// past only as an inferred version, whose amount is unknown (0).
const openDealsSQL = `SELECT count(), sum(amount) FROM (SELECT deal_id, argMax(status, updated_at) AS status,
argMax(amount, updated_at) AS amount FROM deal_versions WHERE updated_at <= '2025-08-16' GROUP BY deal_id) WHERE status = 'open'`

// TestCRMWalkthrough runs the commands of docs/walkthrough-deals-only.md on a small generated CRM export:
// teams and opportunities load with the built-in crm-* mappings alone, quotas come from quota set, fit learns
// from new opportunities, deals were open in a past month, that month and its quarter forecast with the pipeline
// open then (valued from wins known then, though the export has no amount for open deals), and a backtest runs.
func TestCRMWalkthrough(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, nil, "synth", "--out", dir, "--reps", "10", "--months", "12", "--start", "2025-01-01", "--format", "crm"); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", t.TempDir(), "--log-level", "warn"}
	steps := []struct {
		name string
		args []string
		want *regexp.Regexp
	}{
		{"teams", []string{"ingest", "--kind", "reps", "--mapping", "crm-teams", filepath.Join(dir, "teams.csv")}, regexp.MustCompile(`reps: read 10, loaded 10, rejected 0`)},
		{"opportunities", []string{"ingest", "--kind", "deals", "--mapping", "crm-opportunities", "--default", "updated_at=2025-12-31", filepath.Join(dir, "opportunities.csv")},
			regexp.MustCompile(`(?s)rejected 0.*[1-9][0-9,]* deals known by one row only were open before it`)},
		{"quota", []string{"quota", "set", "--period", "2025-Q3", "--amount", "90000"}, regexp.MustCompile(`quotas: read 10, loaded 10`)},
		{"fit", []string{"fit", "--as-of", "2025-12-31T12:00:00Z"}, regexp.MustCompile(`1 ` + forecast.NewOpportunityKind + ` ~ \$[1-9]`)},
		{"open then", []string{"query", "--format", "tsv", openDealsSQL}, regexp.MustCompile(`(?m)^[1-9][0-9]*\t0\n`)},
		{"month", []string{"forecast", "--period", "2025-08", "--as-of", "2025-08-16T00:00:00Z"}, regexp.MustCompile(`(?s)firm +default +10 reps +\$[0-9,]+ .*the recipe's input is ` + forecast.NewOpportunityKind)},
		{"pipeline then", []string{"forecast", "--period", "2025-08", "--as-of", "2025-08-16T00:00:00Z", "--format", "json"},
			regexp.MustCompile(`(?s)"firm_total": ?\{[^}]*"pipeline_open": ?[1-9][^}]*"from_pipeline": ?[1-9]`)},
		{"quarter", []string{"forecast", "--period", "2025-Q3", "--as-of", "2025-08-01T00:00:00Z"}, regexp.MustCompile(`(?s)firm +default +10 reps +\$900,000 .*a quarter is the sum of its three months`)},
		{"backtest", []string{"backtest", "--from", "2025-08", "--to", "2025-09", "--points", "1"}, regexp.MustCompile(`(?m)^salesrecipe +50% +[0-9.]+% .*\n(?s:.*)^run_rate +50% +[0-9.]+%`)},
	}
	for _, s := range steps {
		n := 1
		if s.args[0] == "quota" {
			n = 2
		}
		args := append(append(append([]string{}, s.args[:n]...), store...), s.args[n:]...)
		out, stderr, code := runBin(t, nil, args...)
		if code != 0 || !s.want.MatchString(out) {
			t.Fatalf("%s: exit %d, want %s in\n%s%s", s.name, code, s.want, out, stderr)
		}
	}
}

// TestCRMSourcesWalkthrough loads a CRM export whose opportunities have a lead source of different value
// (synth --sources): the fit learns one input per source and says so as "1 new proposal opportunity ~ $X",
// proposal-sourced deals (the firm's most valuable) worth the most.
func TestCRMSourcesWalkthrough(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, nil, "synth", "--out", dir, "--reps", "30", "--months", "24", "--start", "2024-01-01", "--format", "crm", "--sources"); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", t.TempDir(), "--log-level", "warn"}
	load := append(append([]string{"ingest"}, store...), "--kind", "deals", "--mapping", "crm-opportunities", "--default", "updated_at=2025-12-31",
		filepath.Join(dir, "opportunities.csv"))
	if out, stderr, code := runBin(t, nil, load...); code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code := runBin(t, nil, append(append([]string{"fit"}, store...), "--as-of", "2025-12-31T12:00:00Z")...)
	if code != 0 {
		t.Fatalf("fit: exit %d\n%s%s", code, out, stderr)
	}
	values := map[string]float64{}
	for _, m := range regexp.MustCompile(`(?m)^1 new (\w+) opportunity ~ (?:\$([0-9,]+)|no measurable)`).FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		values[m[1]] = v
	}
	if len(values) < 2 || !strings.Contains(out, forecast.NewOpportunityKind+":<source>") {
		t.Fatalf("want one input per lead source in\n%s", out)
	}
	for src, v := range values {
		if src != "proposal" && v >= values["proposal"] {
			t.Errorf("new %s opportunity ~ %.0f, at least a new proposal one's %.0f:\n%s", src, v, values["proposal"], out)
		}
	}
}
