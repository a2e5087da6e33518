package chdb_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// exitChildEnv makes the test binary a child that opens an engine, works, and exits.
const exitChildEnv = "SALESRECIPE_CHDB_EXIT_CHILD"

// TestMain runs the tests, then closes the shared engine and stops the
// library before the binary exits (under -race the exit runs C's exit()).
func TestMain(m *testing.M) {
	if dir := os.Getenv(exitChildEnv); dir != "" {
		os.Exit(exitChild(dir))
	}
	code := m.Run()
	if shared.e != nil {
		shared.e.Close()
	}
	if err := chdb.Shutdown(libPath()); err != nil {
		fmt.Fprintln(os.Stderr, "chdb shutdown:", err)
		code = 1
	}
	if shared.dir != "" {
		if err := os.RemoveAll(filepath.Dir(shared.dir)); err != nil {
			fmt.Fprintln(os.Stderr, "remove the engine's data:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// exitChild opens an engine on dir, writes and reads with background work
// under way (parts to merge), closes it and stops the library, as a process does before it exits.
func exitChild(dir string) int {
	for range 3 {
		if code := useEngine(dir); code != 0 {
			return code
		}
	}
	if err := chdb.Shutdown(libPath()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 6
	}
	return 0
}

// useEngine opens an engine on dir, writes and reads, and closes it.
func useEngine(dir string) int {
	ctx := context.Background()
	e, err := chdb.Open(ctx, chdb.Config{LibraryPath: libPath(), DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS t (x UInt64) ENGINE = MergeTree ORDER BY x",
		"INSERT INTO t SELECT number FROM numbers(100000)",
		"INSERT INTO t SELECT number FROM numbers(100000)",
		"OPTIMIZE TABLE t FINAL",
		"SELECT count() FROM t",
	} {
		if _, err := e.Query(ctx, chdb.Request{SQL: q}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 4
		}
	}
	if err := e.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 5
	}
	return 0
}

// TestProcessExitsCleanly starts a process that uses the engine and exits, many times:
// every one must end with status 0, never a signal.
func TestProcessExitsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the engine in 8 processes")
	}
	dir := t.TempDir()
	for i := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), exitChildEnv+"="+filepath.Join(dir, "data"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: %v (state %v)\n%s", i+1, err, cmd.ProcessState, out)
		}
	}
}
