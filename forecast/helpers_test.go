package forecast

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded ClickHouse engine.
var engine querytest.Engine

// TestMain stops the embedded engine before the binary exits.
func TestMain(m *testing.M) { engine.Main(m) }

// firmCache holds generated firm directories by configuration, so tests share the CSV files.
var firmCache sync.Map

// firm is a synthetic firm's files and known truth.
type firm struct {
	dir   string
	truth synth.Truth
}

// generate writes the firm of cfg once per test binary.
func generate(t testing.TB, cfg synth.Config) firm {
	t.Helper()
	key, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := firmCache.LoadOrStore(string(key), sync.OnceValues(func() (firm, error) {
		dir, err := os.MkdirTemp("", "forecast-firm-")
		if err != nil {
			return firm{}, err
		}
		engine.AtExit(func() { os.RemoveAll(dir) })
		tr, err := synth.WriteDir(context.Background(), dir, cfg)
		return firm{dir: dir, truth: tr}, err
	}))
	f, err := v.(func() (firm, error))()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// load loads the firm's files of the given kinds (all when none) into st under the firm name.
func load(t testing.TB, st *queries.Store, name, dir string, kinds ...ingest.Kind) {
	t.Helper()
	if len(kinds) == 0 {
		kinds = ingest.Kinds()
	}
	for _, kind := range kinds {
		path := filepath.Join(dir, string(kind)+".csv")
		r, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Run(context.Background(), st, ingest.Job{Firm: name, Kind: kind}, []ingest.Input{{Name: path, R: r}})
		r.Close()
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
	}
}

// memory reads the firm's files of the given kinds (all when none) under the firm name into a
// fresh in-memory store, through the converters a load uses: what the forecast's logic tests run
// on instead of the engine (queries' TestMemoryAnswersAsTheStore checks that it answers as the
// store does).
func memory(t testing.TB, name, dir string, kinds ...ingest.Kind) *querytest.Memory {
	t.Helper()
	mem := querytest.NewMemory()
	if len(kinds) == 0 {
		kinds = ingest.Kinds()
	}
	for _, kind := range kinds {
		var err error
		switch kind {
		case ingest.KindReps:
			err = readRows(dir, kind, ingest.NewRepConverter(), func(rows []salesrecipe.Rep) { mem.AddReps(name, rows...) })
		case ingest.KindQuotas:
			err = readRows(dir, kind, ingest.NewQuotaConverter(time.UTC), func(rows []salesrecipe.Quota) { mem.AddQuotas(name, rows...) })
		case ingest.KindStages:
			err = readRows(dir, kind, ingest.NewStageConverter(), func(rows []salesrecipe.Stage) { mem.AddStages(name, rows...) })
		case ingest.KindActivities:
			err = readRows(dir, kind, ingest.NewActivityConverter(time.UTC), func(rows []salesrecipe.Activity) { mem.AddActivities(name, rows...) })
		case ingest.KindDeals:
			err = readRows(dir, kind, ingest.NewDealConverter(time.UTC), func(rows []salesrecipe.Deal) { mem.AddDeals(name, rows...) })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return mem
}

// readRows converts every row of the kind's CSV file in dir and hands them to add.
func readRows[T any](dir string, kind ingest.Kind, conv *ingest.Converter[T], add func([]T)) error {
	path := filepath.Join(dir, string(kind)+".csv")
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := ingest.NewReader(f, path, ingest.Options{})
	if err != nil {
		return err
	}
	var rows []T
	if _, err := ingest.Load(context.Background(), src, conv, func(v T) error { rows = append(rows, v); return nil }, nil); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	add(rows)
	return nil
}

// smallFirm is a quick firm for functional tests: 12 reps over 18 months ending 2026-06-01.
func smallFirm(seed int64) synth.Config {
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Seed = 12, 18, seed
	cfg.End = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	return cfg
}

// readCSVRows reads a CSV file with a header: the header, then every row as raw cells and by column name.
func readCSVRows(t testing.TB, path string) (header []string, raw [][]string, named []map[string]string) {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rows, err := csv.NewReader(in).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		m := make(map[string]string, len(r))
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		named = append(named, m)
	}
	return rows[0], rows[1:], named
}

// rewrite copies the CSV file name from src to dst keeping the header and the rows keep accepts.
func rewrite(t testing.TB, src, dst, name string, keep func(row map[string]string) bool) {
	t.Helper()
	header, raw, named := readCSVRows(t, filepath.Join(src, name))
	out, err := os.Create(filepath.Join(dst, name))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := csv.NewWriter(out)
	w.Write(header)
	for i, r := range raw {
		if keep(named[i]) {
			w.Write(r)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
}

// mustTime parses an RFC 3339 time from a CSV cell.
func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// clock returns a fixed clock.
func clock(at time.Time) func() time.Time { return func() time.Time { return at } }
