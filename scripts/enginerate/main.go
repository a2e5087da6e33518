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
	e, err := chdb.Open(ctx, chdb.Config{LibraryPath: lib, DataDir: data})
	if err != nil {
		return err
	}
	defer e.Close()
	stmts := []string{
		"CREATE TABLE IF NOT EXISTS bench_activities (activity_id String, rep_id String, kind LowCardinality(String), occurred_at DateTime64(3, 'UTC'), account_id String, deal_id String) ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at) ORDER BY (rep_id, occurred_at, activity_id)",
		"TRUNCATE TABLE bench_activities",
	}
	for _, s := range stmts {
		if _, err := e.Query(ctx, chdb.Request{SQL: s}); err != nil {
			return err
		}
	}
	start := time.Now()
	res, err := e.Query(ctx, chdb.Request{
		SQL:    "INSERT INTO bench_activities SELECT * FROM file({path:String}, 'CSVWithNames', 'activity_id String, rep_id String, kind String, occurred_at DateTime64(3, \\'UTC\\'), account_id String, deal_id String')",
		Params: map[string]string{"path": abs},
	})
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("engine INSERT ... SELECT FROM file(): %d rows in %.1f s = %.0f rows/s\n", res.RowsWritten, secs, float64(res.RowsWritten)/secs)
	return nil
}
