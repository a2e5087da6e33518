package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestQuotaSetFlagMistakes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no verb", []string{"quota"}, "give a verb: quota set"},
		{"unknown verb", []string{"quota", "get"}, `unknown verb "get" (want set)`},
		{"no period", []string{"quota", "set", "--amount", "5"}, "--period is required (a month such as 2017-07 or a quarter such as 2017-Q3)"},
		{"no amount", []string{"quota", "set", "--period", "2017-Q3"}, "--amount is required"},
		{"bad period", []string{"quota", "set", "--period", "2017-Q5", "--amount", "5"}, `--period: period "2017-Q5": quarter must be Q1 to Q4`},
		{"week", []string{"quota", "set", "--period", "2017-W30", "--amount", "5"}, "--period 2017-W30: quotas are per month or quarter, not week"},
		{"thousands", []string{"quota", "set", "--period", "2017-Q3", "--amount", "100,000"}, `--amount: amount "100,000": thousands separator`},
		{"negative", []string{"quota", "set", "--period", "2017-Q3", "--amount", "-5"}, `--amount: amount "-5": negative amount not allowed`},
		{"too large", []string{"quota", "set", "--period", "2017-Q3", "--amount", "100000000000000000"}, `--amount: value "100000000000000000": above the largest amount`},
		{"rep and team", []string{"quota", "set", "--period", "2017-Q3", "--amount", "5", "--rep", "r1", "--team", "East"}, "give --rep or --team, not both"},
		{"empty rep", []string{"quota", "set", "--period", "2017-Q3", "--amount", "5", "--rep", "r1", "--rep", " "}, "--rep number 2 is empty"},
		{"file and amount", []string{"quota", "set", "--file", "q.csv", "--amount", "5"}, "--file holds the reps and amounts; it does not go with --amount, --rep or --team"},
		{"positional", []string{"quota", "set", "--period", "2017-Q3", "--amount", "5", "q.csv"}, `unexpected argument "q.csv" (a file goes with --file)`},
		{"empty firm", []string{"quota", "set", "--firm", "", "--period", "2017-Q3", "--amount", "5"}, "--firm must not be empty"},
		{"ingest unknown field", []string{"ingest", "--kind", "quotas", "--set", "quarter=2017-Q3", "q.csv"}, `"quarter" is not a field of quotas (want one of rep_id, period_start, period, amount)`},
		{"ingest set syntax", []string{"ingest", "--kind", "deals", "--set", "stage", "d.csv"}, `--set "stage": want field=value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runCmd(t, nil, tt.args...)
			if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("err %v (exit %d), stderr %q\nwant exit 2 and %q", err, exitCode(err), stderr, tt.want)
			}
		})
	}
}

// TestQuotaSetCommand sets quotas for everyone, a team and named reps, again and anew, and from a file,
// reading back what the store holds after each step.
func TestQuotaSetCommand(t *testing.T) {
	dir := t.TempDir()
	reps := filepath.Join(dir, "reps.csv")
	writeTestFile(t, reps, "rep_id,name,team\nr1,Ann,East\nr2,Bo,East\nr3,Cy,West\n")
	store := []string{"--data", filepath.Join(dir, "store"), "--log-level", "warn"}
	cmd := func(verb string, args ...string) (string, string, int) {
		t.Helper()
		return runBin(t, nil, append(append(strings.Fields(verb), store...), args...)...)
	}
	if out, stderr, code := cmd("ingest", "--kind", "reps", reps); code != 0 {
		t.Fatalf("reps: exit %d\n%s%s", code, out, stderr)
	}
	steps := []struct {
		name   string
		args   []string
		code   int
		out    string // stdout or stderr holds this
		stored string // the quotas of 2017-Q3 then, as rep=amount
	}{
		{"everyone", []string{"--period", "2017-Q3", "--amount", "100000"}, 0,
			"quota set: 2017-Q3 100,000.00 for 3 reps (every rep of firm default)\nquotas: read 3, loaded 3, rejected 0, duplicates 0", "r1=100000 r2=100000 r3=100000"},
		{"again changes nothing", []string{"--period", "2017-Q3", "--amount", "100000"}, 0,
			"quotas: read 3, loaded 0, rejected 0, duplicates 3", "r1=100000 r2=100000 r3=100000"},
		{"a team anew", []string{"--period", "2017-q3", "--amount", "120000.50", "--team", "East"}, 0,
			"quota set: 2017-Q3 120,000.50 for 2 reps (team East of firm default)\nquotas: read 2, loaded 2", "r1=120000.5 r2=120000.5 r3=100000"},
		{"named reps", []string{"--period", "2017-Q3", "--amount", "90000", "--rep", "r3", "--rep", "r9"}, 0,
			"warning: 1 quotas belong to 1 reps that no reps file names", "r1=120000.5 r2=120000.5 r3=90000 r9=90000"},
		{"unknown team", []string{"--period", "2017-Q3", "--amount", "1", "--team", "North"}, 1,
			"--team North: no rep of firm default is in that team (teams: East, West)", "r1=120000.5 r2=120000.5 r3=90000 r9=90000"},
		{"another period leaves this one", []string{"--period", "2017-07", "--amount", "5"}, 0,
			"quotas: read 3, loaded 3", "r1=120000.5 r2=120000.5 r3=90000 r9=90000"},
	}
	for _, s := range steps {
		out, stderr, code := cmd("quota set", s.args...)
		if code != s.code || !strings.Contains(out+stderr, s.out) {
			t.Fatalf("%s: exit %d, want %d and %q\n%s%s", s.name, code, s.code, s.out, out, stderr)
		}
		if got := storedQuotas(t, store, "2017-07-01", "quarter"); got != s.stored {
			t.Fatalf("%s: stored %s, want %s", s.name, got, s.stored)
		}
	}
	file := filepath.Join(dir, "q4.csv")
	writeTestFile(t, file, "rep_id,amount\nr1,1000\nr2,2000\n")
	if out, stderr, code := cmd("quota set", "--period", "2017-Q4", "--file", file); code != 0 || !strings.Contains(out, "quotas: read 2, loaded 2") {
		t.Fatalf("file: exit %d\n%s%s", code, out, stderr)
	}
	if got := storedQuotas(t, store, "2017-10-01", "quarter"); got != "r1=1000 r2=2000" {
		t.Errorf("file: stored %s", got)
	}
	// Without --period the file needs its column, and says so; nothing is loaded.
	_, stderr, code := cmd("quota set", "--file", file)
	if code != 1 || !strings.Contains(stderr, "missing required column period (header has: rep_id, amount)") {
		t.Errorf("file without period: exit %d\n%s", code, stderr)
	}
	// ingest --set does the same for any file: a bad row is named with its column.
	bad := filepath.Join(dir, "bad.csv")
	writeTestFile(t, bad, "rep_id,amount\nr1,3000\nr2,\n")
	_, stderr, code = cmd("ingest", "--kind", "quotas", "--set", "period=2018-01", bad)
	if code != 1 || !strings.Contains(stderr, "bad.csv:3: column amount: required") {
		t.Errorf("ingest --set with a bad row: exit %d\n%s", code, stderr)
	}
	if got := storedQuotas(t, store, "2018-01-01", "month"); got != "" {
		t.Errorf("a strict load with a bad row stored %s", got)
	}
}

// storedQuotas lists the latest amount of each rep's quota of one period, as rep=amount.
func storedQuotas(t *testing.T, store []string, start, grain string) string {
	t.Helper()
	sql := "SELECT rep_id, toFloat64(argMax(amount, loaded_at)) FROM quotas WHERE period_start = '" + start +
		"' AND period = '" + grain + "' GROUP BY rep_id ORDER BY rep_id"
	out, stderr, code := runBin(t, nil, append(append([]string{"query"}, store...), "--format", "tsv", sql)...)
	if code != 0 {
		t.Fatalf("query: exit %d %s", code, stderr)
	}
	var parts []string
	for line := range strings.Lines(strings.TrimSpace(out)) {
		if f := strings.Fields(line); len(f) == 2 {
			parts = append(parts, f[0]+"="+f[1])
		}
	}
	return strings.Join(parts, " ")
}
