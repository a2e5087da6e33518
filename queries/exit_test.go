package queries_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// exitParallelEnv makes TestParallelEngineWork run: the test binary is then a
// child of TestBinaryExitsCleanlyAfterParallelTests.
const exitParallelEnv = "SALESRECIPE_TEST_EXIT_PARALLEL"

// TestParallelEngineWork writes and reads in parallel tests on the shared
// engine, leaving parts to merge, as a test binary does before it exits.
func TestParallelEngineWork(t *testing.T) {
	if os.Getenv(exitParallelEnv) == "" {
		t.Skip("runs in the children of TestBinaryExitsCleanlyAfterParallelTests")
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := engine.Get(t)
			for _, q := range []string{
				"CREATE DATABASE exit_" + name,
				"CREATE TABLE exit_" + name + ".t (x UInt64) ENGINE = MergeTree ORDER BY x",
				"INSERT INTO exit_" + name + ".t SELECT number FROM numbers(200000)",
				"INSERT INTO exit_" + name + ".t SELECT number FROM numbers(200000)",
				"SELECT count() FROM exit_" + name + ".t",
			} {
				if _, err := e.Query(t.Context(), chdb.Request{SQL: q}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestBinaryExitsCleanlyAfterParallelTests starts this test binary many
// times to run parallel tests on the engine and exit (under -race, through
// C's exit()): every run must end with status 0, never a signal.
func TestBinaryExitsCleanlyAfterParallelTests(t *testing.T) {
	for i := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestParallelEngineWork$", "-test.parallel", "4", "-test.count", "1")
		cmd.Env = append(os.Environ(), exitParallelEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), "PASS") {
			t.Fatalf("run %d: %v (state %v)\n%s", i+1, err, cmd.ProcessState, out)
		}
	}
}
