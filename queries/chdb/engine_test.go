package chdb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// shared is the one engine this test binary opens: chDB allows one data
// directory per process.
var shared struct {
	once sync.Once
	dir  string
	e    *chdb.Engine
	err  error
}

// sharedDir returns the data directory of the test binary's engine.
func sharedDir(t testing.TB) string {
	engine(t)
	return shared.dir
}

// engine returns the test binary's engine, failing with fetch instructions when the library is missing.
func engine(t testing.TB) *chdb.Engine {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "chdb-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = filepath.Join(dir, "data")
		shared.e, shared.err = chdb.Open(context.Background(), chdb.Config{LibraryPath: libPath(), DataDir: shared.dir})
	})
	if shared.err != nil {
		t.Fatalf("open embedded engine: %v", shared.err)
	}
	return shared.e
}

// freshDB creates an empty database for one test, dropping any left by an
// earlier run of the same test binary (go test -count=N), and drops it after.
func freshDB(t testing.TB, e *chdb.Engine, db string) {
	t.Helper()
	drop := chdb.Request{SQL: "DROP DATABASE IF EXISTS `" + db + "` SYNC"}
	mustQuery(t, e, drop)
	mustQuery(t, e, chdb.Request{SQL: "CREATE DATABASE `" + db + "`"})
	t.Cleanup(func() {
		if _, err := e.Query(context.Background(), drop); err != nil {
			t.Errorf("drop %s: %v", db, err)
		}
	})
}

// libPath is the library the tests load.
func libPath() string {
	if p := os.Getenv("SALESRECIPE_CHDB_LIB"); p != "" {
		return p
	}
	return chdb.DefaultLibraryPath(os.Getenv)
}

// client connects clickhouse-go to the engine through an in-process listener.
func client(t testing.TB, db string) driver.Conn {
	t.Helper()
	e := engine(t)
	ln := chdb.NewListener()
	srv := &http.Server{Handler: e.Handler(chdb.HandlerOptions{})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); ln.Close() })
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:    clickhouse.HTTP,
		Addr:        []string{"embedded"},
		DialContext: ln.DialContext,
		Auth:        clickhouse.Auth{Database: db},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestClickHouseGoRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	freshDB(t, e, "rt")
	c := client(t, "rt")
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := c.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server %+v", v)
	if err := c.Exec(ctx, "CREATE TABLE t (id String, n UInt32, k LowCardinality(String), d Date, ts DateTime64(3, 'UTC'), amt Decimal(18,2), o Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	b, err := c.PrepareBatch(ctx, "INSERT INTO t (id, n, k, d, ts, amt, o)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		var o *string
		if i%2 == 0 {
			s := "x"
			o = &s
		}
		if err := b.Append(fmt.Sprintf("id%04d", i), uint32(i), []string{"call", "email"}[i%2], time.Date(2026, 1, 1+i%28, 0, 0, 0, 0, time.UTC), time.UnixMilli(1_700_000_000_000+int64(i)).UTC(), decimal.NewFromFloat(float64(i)/100), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var n uint64
	var sum decimal.Decimal
	var k string
	if err := c.QueryRow(ctx, "SELECT count(), sum(amt), any(k) FROM t WHERE n >= {min:UInt32}", clickhouse.Named("min", "500")).Scan(&n, &sum, &k); err != nil {
		t.Fatal(err)
	}
	if n != 500 || !sum.Equal(decimal.RequireFromString("3747.50")) {
		t.Fatalf("count %d sum %s", n, sum)
	}
	rows, err := c.Query(ctx, "SELECT id, d, ts, o FROM t ORDER BY id LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var d, ts time.Time
		var o *string
		if err := rows.Scan(&id, &d, &ts, &o); err != nil {
			t.Fatal(err)
		}
		t.Log(id, d, ts, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// A result of several Native blocks arrives whole.
	rows, err = c.Query(ctx, "SELECT 'a' AS k UNION ALL SELECT 'b' UNION ALL SELECT 'c'")
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	if len(ks) != 3 {
		t.Fatalf("union of 3 blocks gave %v", ks)
	}
	err = c.Exec(ctx, "SELECT * FROM missing_table")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 60 {
		t.Fatalf("want exception 60, got %T %v", err, err)
	}
}
