// Package querytest gives tests a fresh, migrated database on the real
// embedded ClickHouse engine, dropped when the test ends, and Memory: the
// reads a forecast makes answered from rows in memory, for tests of logic
// rather than storage.
//
// It is imported only by tests. It imports queries and queries/chdb.
package querytest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// Engine is the one embedded engine of a test binary: chDB opens one data
// directory per process, so every test shares it and gets its own database.
type Engine struct {
	once sync.Once
	e    *chdb.Engine
	dir  string // the temporary directory holding the engine's data, removed by Main
	err  error

	mu     sync.Mutex
	atExit []func()
}

// AtExit registers f to run in Main after the tests and before the engine closes (to remove what
// the tests shared, such as files generated once per binary).
func (s *Engine) AtExit(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.atExit = append(s.atExit, f)
}

// LibraryPath is the libchdb.so tests load: $SALESRECIPE_CHDB_LIB or the Makefile's cache.
func LibraryPath() string {
	if p := os.Getenv("SALESRECIPE_CHDB_LIB"); p != "" {
		return p
	}
	return chdb.DefaultLibraryPath(os.Getenv)
}

// Get opens the engine on first use, in a temporary directory, and fails the
// test with the fetch instructions when the library is missing.
func (s *Engine) Get(t testing.TB) *chdb.Engine {
	t.Helper()
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "salesrecipe-test-")
		if err != nil {
			s.err = err
			return
		}
		s.dir = dir
		s.e, s.err = chdb.Open(context.Background(), chdb.Config{LibraryPath: LibraryPath(), DataDir: filepath.Join(dir, "data")})
	})
	if s.err != nil {
		t.Fatalf("embedded ClickHouse engine: %v", s.err)
	}
	return s.e
}

// Main runs a test binary's tests, then closes the engine and stops the
// engine library before the binary exits: a -race binary exits through C's
// exit(), and chDB's threads must be gone by then (see chdb.Shutdown). It
// removes the engine's data and runs the AtExit functions, so that no run
// leaves files behind.
func (s *Engine) Main(m *testing.M) {
	code := m.Run()
	s.mu.Lock()
	for _, f := range s.atExit {
		f()
	}
	s.mu.Unlock()
	if s.e != nil {
		if err := s.e.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close the embedded engine:", err)
			code = 1
		}
	}
	if err := chdb.Shutdown(LibraryPath()); err != nil {
		fmt.Fprintln(os.Stderr, "stop the embedded engine:", err)
		code = 1
	}
	if s.dir != "" {
		if err := os.RemoveAll(s.dir); err != nil {
			fmt.Fprintln(os.Stderr, "remove the engine's data:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Store returns a store on a new database of the shared engine, migrated,
// and drops the database when the test ends.
func (s *Engine) Store(t testing.TB, cfg queries.Config) *queries.Store {
	t.Helper()
	e := s.Get(t)
	ctx := context.Background()
	db := "t_" + rand.Text()
	if _, err := e.Query(ctx, chdb.Request{SQL: "CREATE DATABASE `" + db + "`"}); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	st, err := queries.OnEngine(ctx, e, db, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		if _, err := e.Query(context.Background(), chdb.Request{SQL: "DROP DATABASE IF EXISTS `" + db + "` SYNC"}); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// ReadOnlyStore returns a second store on the database of st, reached over the engine's
// ClickHouse HTTP interface, whose queries run with the engine's setting readonly = 2 while
// readOnly is set: reads answer, and the engine itself refuses every write and DDL statement.
func (s *Engine) ReadOnlyStore(t testing.TB, st *queries.Store, readOnly *atomic.Bool) *queries.Store {
	t.Helper()
	h := s.Get(t).Handler(chdb.HandlerOptions{Password: "pw"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if readOnly.Load() {
			q := r.URL.Query()
			q.Set("readonly", "2")
			r.URL.RawQuery = q.Encode()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dsn := "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + st.Database()
	ro, err := queries.Open(context.Background(), queries.Config{DSN: dsn})
	if err != nil {
		t.Fatalf("open the store over HTTP: %v", err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}
