// Command enginerate measures the embedded engine's own load rate for a
// canonical activities CSV: INSERT INTO ... SELECT FROM file(...), with no Go
// in the data path. It is the yardstick `make bench-ingest` puts beside
// `salesrecipe ingest`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

func main() {
	file := flag.String("file", "", "activities CSV (canonical header)")
	data := flag.String("data", "", "scratch data directory")
	lib := flag.String("chdb-lib", chdb.DefaultLibraryPath(os.Getenv), "libchdb.so")
	flag.Parse()
	if err := run(context.Background(), *file, *data, *lib); err != nil {
		fmt.Fprintln(os.Stderr, "enginerate:", err)
		os.Exit(1)
	}
}

// run loads the file into a table shaped like activities and prints rows/s.
func run(ctx context.Context, file, data, lib string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	st, err := queries.Open(ctx, queries.Config{LibraryPath: lib, DataDir: data})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	e := st.Engine()
	stmts := []string{
		"CREATE TABLE IF NOT EXISTS bench_activities (activity_id String, rep_id String, kind LowCardinality(String), occurred_at DateTime64(3, 'UTC'), account_id String, deal_id String) ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at) ORDER BY (rep_id, occurred_at, activity_id)",
		"TRUNCATE TABLE bench_activities",
	}
	for _, s := range stmts {
		if _, err := e.Query(ctx, chdb.Request{Database: queries.DefaultDatabase, SQL: s}); err != nil {
			return err
		}
	}
	const src = "FROM file({path:String}, 'CSVWithNames', 'activity_id String, rep_id String, kind String, occurred_at DateTime64(3, \\'UTC\\'), account_id String, deal_id String')"
	targets := []struct{ what, table, sql string }{
		{"a plain MergeTree table", "bench_activities", "INSERT INTO bench_activities SELECT * " + src},
		{"the activities table (no view since migration 0007: loads build the rollup)", "activities", "INSERT INTO activities (firm, activity_id, rep_id, kind, occurred_at, account_id, deal_id, loaded_at) SELECT 'engine', *, now64(6) " + src},
	}
	for _, t := range targets {
		start := time.Now()
		_, err := e.Query(ctx, chdb.Request{Database: queries.DefaultDatabase, SQL: t.sql, Params: map[string]string{"path": abs}})
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		var n uint64
		if err := st.Conn().QueryRow(ctx, "SELECT count() FROM "+t.table).Scan(&n); err != nil {
			return err
		}
		fmt.Printf("engine INSERT ... SELECT FROM file() into %s: %d rows in %.1f s = %.0f rows/s\n", t.what, n, secs, float64(n)/secs)
	}
	return nil
}
