package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// cliChildEnv makes the test binary run the command line in its value (JSON), as the binary would.
const cliChildEnv = "SALESRECIPE_TEST_CLI"

// TestMain runs the tests, or, in a child, one command; either way it stops
// the engine library before exiting (under -race the exit runs C's exit()).
func TestMain(m *testing.M) {
	if args := os.Getenv(cliChildEnv); args != "" {
		os.Exit(cliChild(args))
	}
	engine.Main(m)
}

// cliChild runs one command line as main does, then stops the engine library.
func cliChild(args string) int {
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code := 0
	if err := run(context.Background(), argv, os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "salesrecipe:", err)
		code = exitCode(err)
	}
	if err := chdb.Shutdown(querytest.LibraryPath()); err != nil {
		fmt.Fprintln(os.Stderr, "stop the embedded engine:", err)
		return 1
	}
	return code
}

func TestTestBinaryExitsCleanlyAfterUsingTheEngine(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(t.TempDir(), "a.csv")
	writeTestFile(t, file, "activity_id,rep_id,kind,occurred_at\na1,r1,call,2026-01-05T10:00:00Z\na2,r1,email,2026-02-05T10:00:00Z\n")
	// This test binary runs under -race in make test, so it exits through C's exit(): each child
	// ingests, reads and exits, and must end with status 0, never a signal.
	for i := range 6 {
		args := []string{"ingest", "--data", data, "--log-level", "warn", "--kind", "activities", file}
		if i%2 == 1 {
			args = []string{"status", "--data", data, "--log-level", "warn"}
		}
		b, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), cliChildEnv+"="+string(b))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child %d (%v): %v, state %v\n%s", i+1, args, err, cmd.ProcessState, out)
		}
	}
}

// activityFiles writes a synthetic firm's activities as two overlapping
// files and returns them, their union, and its number of distinct ids.
func activityFiles(t *testing.T, reps, months int) (first, second, all string, distinct int) {
	t.Helper()
	dir := t.TempDir()
	if _, stderr, err := runCmd(t, nil, "synth", "--out", dir, "--reps", strconv.Itoa(reps), "--months", strconv.Itoa(months),
		"--start", "2026-01-01"); err != nil {
		t.Fatalf("synth: %v %s", err, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "activities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	header, rows := lines[0], lines[1:]
	n := len(rows)
	first, second, all = filepath.Join(dir, "first.csv"), filepath.Join(dir, "second.csv"), filepath.Join(dir, "activities.csv")
	writeTestFile(t, first, header+"\n"+strings.Join(rows[:n*6/10], "\n")+"\n")
	writeTestFile(t, second, header+"\n"+strings.Join(rows[n*4/10:], "\n")+"\n")
	return first, second, all, n
}

// writeTestFile writes a file or fails the test.
func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// counts is what readers see of a firm's activities: rows, distinct ids, the
// rollup's sum, what status says, and the tables loads left behind.
type counts struct {
	Rows, IDs, Rollup, Status uint64
	Leftovers                 string
}

// readCounts reads the counts through the binary with the given store flags.
func readCounts(t *testing.T, store ...string) counts {
	t.Helper()
	q := "SELECT (SELECT count() FROM activities WHERE firm = 'default') AS rows, " +
		"(SELECT uniqExact(activity_id) FROM activities WHERE firm = 'default') AS ids, " +
		"(SELECT sum(activities) FROM activity_daily WHERE firm = 'default') AS rollup, " +
		"(SELECT arrayStringConcat(groupArray(name), ' ') FROM system.tables WHERE database = currentDatabase() " +
		"AND (startsWith(name, '_load_') OR startsWith(name, '_new_') OR startsWith(name, '_lease_'))) AS leftovers"
	out, stderr, code := runBin(t, nil, append(append([]string{"query"}, store...), "--format", "json", q)...)
	if code != 0 {
		t.Fatalf("query: exit %d %s", code, stderr)
	}
	var rows []struct {
		Rows, IDs, Rollup json.Number
		Leftovers         string
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("query answer %q: %v", out, err)
	}
	var c counts
	for _, p := range []struct {
		n   json.Number
		dst *uint64
	}{{rows[0].Rows, &c.Rows}, {rows[0].IDs, &c.IDs}, {rows[0].Rollup, &c.Rollup}} {
		v, _ := strconv.ParseUint(p.n.String(), 10, 64)
		*p.dst = v
	}
	c.Leftovers = rows[0].Leftovers
	out, stderr, code = runBin(t, nil, append(append([]string{"status"}, store...), "--format", "json")...)
	if code != 0 {
		t.Fatalf("status: exit %d %s", code, stderr)
	}
	var st map[string]struct{ Rows uint64 }
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status %q: %v", out, err)
	}
	c.Status = st["activities"].Rows
	return c
}

// exact checks that readers see want distinct activities, each stored once and counted once by the rollup.
func (c counts) exact(want uint64) bool {
	return c.Rows == want && c.IDs == want && c.Rollup == want && c.Status == want
}

func TestConcurrentLoadsStoreEachRowOnce(t *testing.T) {
	first, second, all, distinct := activityFiles(t, 8, 3)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	sv := startListeningServe(t, bin)
	addr, store, logs := sv.addr, sv.store, sv.logs
	// Three processes through the engine's ClickHouse listener and three API
	// requests at once, each file twice: the same rows and overlapping ones.
	files := []string{first, second, all}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(files))
	for _, f := range files {
		wg.Go(func() {
			if err := ingestThrough(t, f, store...); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			if err := postActivities(addr, f); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c := readCounts(t, store...); !c.exact(uint64(distinct)) || c.Leftovers != "" {
		t.Fatalf("after 6 concurrent loads readers see %+v; want %d activities everywhere and no tables left\n%s", c, distinct, logs.String())
	}
}

// startIngest starts a child that ingests a file into a store.
func startIngest(t *testing.T, bin, file string, store ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"ingest"}, store...), "--kind", "activities", file)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// killedLoads kills a load of file at many moments and checks that after each
// kill readers see the stored rows before the load or after it, never part,
// and that a last run leaves exactly want rows and nothing behind.
func killedLoads(t *testing.T, bin, first, file string, before, want uint64, store ...string) {
	t.Helper()
	// How long a whole load takes, into another firm of the same store holding the same rows first.
	if err := startIngest(t, bin, first, append(store, "--firm", "probe")...).Wait(); err != nil {
		t.Fatalf("probe's first load: %v", err)
	}
	start := time.Now()
	probe := startIngest(t, bin, file, append(store, "--firm", "probe")...)
	if err := probe.Wait(); err != nil {
		t.Fatalf("probe load: %v", err)
	}
	full := time.Since(start)
	seen := map[string]int{}
	for _, frac := range []float64{0, 0.3, 0.55, 0.7, 0.8, 0.9, 1.0, 1.3} {
		cmd := startIngest(t, bin, file, store...)
		time.Sleep(time.Duration(frac * float64(full)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		c := readCounts(t, store...)
		switch {
		case c.exact(before):
			seen["nothing"]++
		case c.exact(want):
			seen["everything"]++
		default:
			t.Fatalf("killed at %.0f%% of %v: readers see %+v; want %d or %d activities everywhere", 100*frac, full, c, before, want)
		}
	}
	out, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "activities", file)...)
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s%s", code, out, stderr)
	}
	if c := readCounts(t, store...); !c.exact(want) || c.Leftovers != "" {
		t.Fatalf("after the re-run readers see %+v; want %d activities everywhere and no tables left", c, want)
	}
	t.Logf("a load of %v killed at 8 moments: readers saw %v", full.Round(time.Millisecond), seen)
}

func TestKilledLoadsAreAllOrNothingEmbedded(t *testing.T) {
	first, _, all, distinct := activityFiles(t, 40, 6)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", filepath.Join(t.TempDir(), "store"), "--log-level", "warn"}
	if out, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "activities", first)...); code != 0 {
		t.Fatalf("first load: exit %d\n%s%s", code, out, stderr)
	}
	before := readCounts(t, store...).Rows
	killedLoads(t, bin, first, all, before, uint64(distinct), store...)
}

func TestKilledLoadsAreAllOrNothingThroughTheServer(t *testing.T) {
	first, _, all, distinct := activityFiles(t, 40, 6)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	addr, chAddr := freeAddr(t), freeAddr(t)
	srv := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(t.TempDir(), "store"), "--log-level", "warn",
		"--clickhouse-listen", chAddr, "--clickhouse-password", "pw")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	waitFor(t, "http://"+addr+"/readyz", 200)
	store := []string{"--clickhouse", "http://default:pw@" + chAddr + "/salesrecipe", "--log-level", "warn"}
	if out, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "activities", first)...); code != 0 {
		t.Fatalf("first load: exit %d\n%s%s", code, out, stderr)
	}
	before := readCounts(t, store...).Rows
	killedLoads(t, bin, first, all, before, uint64(distinct), store...)
}

// listeningServe is a `serve` process whose engine other processes reach through its ClickHouse
// listener, with an ingest user of firm default.
type listeningServe struct {
	addr  string      // host:port of the web server
	store []string    // flags that point another salesrecipe process at the listener
	logs  *syncBuffer // the server's stderr
}

// startListeningServe starts serve with a fresh store, the listener and extra flags, and waits until it is ready.
func startListeningServe(t *testing.T, bin string, extra ...string) listeningServe {
	t.Helper()
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	writeTestFile(t, users, "users:\n  - name: Loader\n    token: \"ingest-token-0123456789abcdef\"\n    role: ingest\n    firm: default\n")
	addr, chAddr := freeAddr(t), freeAddr(t)
	args := append([]string{"serve", "--addr", addr, "--data", filepath.Join(dir, "store"), "--users", users, "--log-level", "warn",
		"--clickhouse-listen", chAddr, "--clickhouse-password", "pw"}, extra...)
	srv := exec.Command(bin, args...)
	logs := &syncBuffer{}
	srv.Stderr = logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	waitFor(t, "http://"+addr+"/readyz", 200)
	return listeningServe{addr: addr, store: []string{"--clickhouse", "http://default:pw@" + chAddr + "/salesrecipe", "--log-level", "warn"}, logs: logs}
}

// ingestThrough loads an activities file with a salesrecipe ingest process pointed at store.
func ingestThrough(t *testing.T, file string, store ...string) error {
	out, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "activities", file)...)
	if code != 0 {
		return fmt.Errorf("ingest %s: exit %d\n%s%s", file, code, out, stderr)
	}
	return nil
}

// postActivities loads an activities file through the ingest API of the server at addr as the ingest user.
func postActivities(addr, file string) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/ingest/activities", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer ingest-token-0123456789abcdef")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		return fmt.Errorf("POST %s: %d %s", file, res.StatusCode, b.String())
	}
	return nil
}
