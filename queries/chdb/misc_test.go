package chdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

func TestMissingLibraryExplainsFetch(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope", "libchdb.so")
	_, err := chdb.Open(context.Background(), chdb.Config{LibraryPath: missing, DataDir: t.TempDir()})
	if !errors.Is(err, chdb.ErrLibraryMissing) {
		t.Fatalf("want ErrLibraryMissing, got %v", err)
	}
	for _, want := range []string{missing, "make chdb", "npm pack " + chdb.NPMPackage, "--clickhouse"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestDefaultLibraryPath(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/c"}, "/c/salesrecipe/chdb/" + chdb.Version + "/libchdb.so"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/salesrecipe/chdb/" + chdb.Version + "/libchdb.so"},
	}
	for _, tt := range tests {
		if got := chdb.DefaultLibraryPath(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("DefaultLibraryPath(%v) = %s, want %s", tt.env, got, tt.want)
		}
	}
}

func TestSecondProcessIsToldWhoHoldsTheDirectory(t *testing.T) {
	// This process holds the shared engine's directory; a child opening the
	// same directory must be refused with the holder named.
	held := sharedDir(t)
	out := inChild(t, "TestChildOpensHeldDir", "CHDB_TEST_DIR="+held)
	if !strings.Contains(out, fmt.Sprintf("pid %d", os.Getpid())) && !strings.Contains(out, fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("child's error does not name this process (pid %d):\n%s", os.Getpid(), out)
	}
}

// TestChildOpensHeldDir tries to open a directory another process holds.
func TestChildOpensHeldDir(t *testing.T) {
	dir := os.Getenv("CHDB_TEST_DIR")
	if os.Getenv("CHDB_TEST_CHILD") == "" || dir == "" {
		t.Skip("runs only as a child of TestSecondProcessIsToldWhoHoldsTheDirectory")
	}
	_, err := chdb.Open(context.Background(), chdb.Config{LibraryPath: libPath(), DataDir: dir})
	if !errors.Is(err, chdb.ErrDataDirBusy) {
		t.Fatalf("want ErrDataDirBusy, got %v", err)
	}
	for _, want := range []string{"--clickhouse-listen", "--clickhouse http://"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
	t.Log(err)
}

func TestParallelReadersAndWriter(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	db := "par"
	freshDB(t, e, db)
	mustQuery(t, e, chdb.Request{Database: db, SQL: "CREATE TABLE t (g UInt8, v UInt64) ENGINE = MergeTree ORDER BY g"})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			data := strings.Repeat(fmt.Sprintf("%d,%d\n", i%4, i), 1000)
			if _, err := e.Insert(ctx, chdb.Request{Database: db, SQL: "INSERT INTO t (g, v)", Format: "CSV"}, strings.NewReader(data)); err != nil {
				errs <- err
			}
		}
	}()
	for r := 0; r < 6; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				res, err := e.Query(ctx, chdb.Request{Database: db, SQL: "SELECT g, count(), sum(v) FROM t GROUP BY g ORDER BY g"})
				if err != nil {
					errs <- err
					return
				}
				_ = res
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res := mustQuery(t, e, chdb.Request{Database: db, SQL: "SELECT count(), sum(v) FROM t"})
	if got := string(res.Data); got != "20000\t190000\n" {
		t.Fatalf("after writes: %q", got)
	}
}

func TestInsertDataWithBlankLinesIsNotCutShort(t *testing.T) {
	e := engine(t)
	freshDB(t, e, "blank")
	mustQuery(t, e, chdb.Request{Database: "blank", SQL: "CREATE TABLE t (s String) ENGINE = MergeTree ORDER BY s"})
	data := "a\nb\n\n\nc\n"
	if _, err := e.Insert(context.Background(), chdb.Request{Database: "blank", SQL: "INSERT INTO t (s)", Format: "TSV"}, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	res := mustQuery(t, e, chdb.Request{Database: "blank", SQL: "SELECT groupArray(s) FROM (SELECT s FROM t ORDER BY s)"})
	if got := strings.TrimSpace(string(res.Data)); got != "['','','a','b','c']" {
		t.Fatalf("rows: %s", got)
	}
}

// mustQuery runs a statement or fails the test.
func mustQuery(t testing.TB, e *chdb.Engine, req chdb.Request) *chdb.Result {
	t.Helper()
	res, err := e.Query(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: %v", req.SQL, err)
	}
	return res
}
