package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotExportLoads writes a snapshot-shaped firm, takes created_at and close_date out of the deals file as
// many CRM exports do, and loads it: the summary says how many deals took their first known time and how many got
// inferred versions; the same file again stores nothing.
func TestSnapshotExportLoads(t *testing.T) {
	firm := t.TempDir()
	if _, _, err := runCmd(t, nil, "synth", "--out", firm, "--reps", "3", "--months", "3", "--start", "2026-01-01", "--shape", "snapshot"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(firm, "deals.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, ",") // deal_id,rep_id,account_id,stage,status,amount,created_at,close_date,closed_at,updated_at
		if i > 0 && i%4 == 0 {
			f[6] = ""
		}
		if i > 0 && f[4] == "open" && i%2 == 0 {
			f[7] = ""
		}
		out = append(out, strings.Join(f, ","))
	}
	deals := filepath.Join(firm, "bare.csv")
	if err := os.WriteFile(deals, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", t.TempDir(), "--log-level", "warn"}
	for _, f := range []string{"stages.csv", "activities.csv"} {
		kind := strings.TrimSuffix(f, ".csv")
		if o, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", kind, filepath.Join(firm, f))...); code != 0 {
			t.Fatalf("ingest %s: exit %d\n%s%s", kind, code, o, stderr)
		}
	}
	first, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "deals", deals)...)
	if code != 0 || !strings.Contains(first, "had no created_at; their first known time was used") ||
		!strings.Contains(first, "stored as inferred versions (stage (unknown), no expected close date, amount unknown)") {
		t.Fatalf("first load: exit %d\n%s%s", code, first, stderr)
	}
	again, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "deals", deals)...)
	if code != 0 || !strings.Contains(again, "loaded 0,") || strings.Contains(again, "inferred") {
		t.Fatalf("same file again: exit %d\n%s%s", code, again, stderr)
	}
}
