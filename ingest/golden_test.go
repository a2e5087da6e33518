package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// report loads src with conv and describes each accepted value, each rejected record and the end.
func report[T any](src Source, conv *Converter[T]) string {
	var lines []string
	accept := func(v T) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		lines = append(lines, "ok     "+string(b))
		return nil
	}
	reject := func(e *RowError) error {
		lines = append(lines, "reject "+e.Error())
		return nil
	}
	st, err := Load(context.Background(), src, conv, accept, reject)
	if err != nil {
		lines = append(lines, "error  "+err.Error())
	}
	lines = append(lines, fmt.Sprintf("stats  %d records, %d accepted, %d rejected", st.Records, st.Accepted, st.Rejected))
	return strings.Join(lines, "\n") + "\n"
}

func reportKind(src Source, kind Kind, loc *time.Location) string {
	switch kind {
	case KindReps:
		return report(src, NewRepConverter())
	case KindQuotas:
		return report(src, NewQuotaConverter(loc))
	case KindStages:
		return report(src, NewStageConverter())
	case KindActivities:
		return report(src, NewActivityConverter(loc))
	}
	return report(src, NewDealConverter(loc))
}

func openFixture(t *testing.T, path string) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rd, err := NewReader(f, filepath.Base(path), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return rd
}

// TestFixtures loads every file in testdata/fixtures as the kind its name starts with.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, ".golden") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			base := filepath.Base(path)
			kind, err := ParseKind(strings.FieldsFunc(base, func(r rune) bool { return r == '-' || r == '.' })[0])
			if err != nil {
				t.Fatal(err)
			}
			got := reportKind(openFixture(t, path), kind, time.UTC)
			checkGolden(t, path+".golden", got)
		})
	}
}

// exportLocation is the time zone each vendor's fixtures were exported in: Salesforce writes
// UTC, HubSpot the portal's zone.
func exportLocation(vendor string) *time.Location {
	if vendor == "hubspot" {
		return time.FixedZone("EST", -5*3600)
	}
	return time.UTC
}

// TestExports finds the built-in mapping for each export in testdata/exports by vendor and
// header alone, then loads it through the mapping into domain values.
func TestExports(t *testing.T) {
	files, err := filepath.Glob("testdata/exports/*.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := strings.TrimSuffix(filepath.Base(path), ".csv")
			vendor, _, _ := strings.Cut(want, "-")
			rd := openFixture(t, path)
			m, err := LookupMapping(vendor, "", rd.Header())
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != want {
				t.Fatalf("LookupMapping(%s) chose %s, want %s", vendor, m.Name, want)
			}
			mr, err := m.Bind(rd, exportLocation(vendor))
			if err != nil {
				t.Fatal(err)
			}
			got := reportKind(mr, m.Kind, exportLocation(vendor))
			if mr.Skipped() > 0 {
				got += fmt.Sprintf("skipped %d by keep_when\n", mr.Skipped())
			}
			checkGolden(t, strings.TrimSuffix(path, ".csv")+".golden", got)
		})
	}
}

// TestErrorSummaryGolden groups a strict load's 130 bad rows by column and reason, as the CLI prints them.
func TestErrorSummaryGolden(t *testing.T) {
	for _, limit := range []int{0, 2} {
		t.Run(fmt.Sprint("limit", limit), func(t *testing.T) {
			c := NewCollector(limit)
			_, err := Load(context.Background(), openFixture(t, "testdata/errors/activities-repeated.csv"), NewActivityConverter(time.UTC),
				func(salesrecipe.Activity) error { return nil }, func(e *RowError) error { c.Add(e); return nil })
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fmt.Sprintf("testdata/errors/activities-repeated.limit%d.txt", limit), c.Err().Error()+"\n")
		})
	}
}
