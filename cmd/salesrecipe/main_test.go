package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded engine, for the tests that need a ClickHouse "server".
var engine querytest.Engine

// runCmd drives the real command wiring and returns stdout, stderr and the error.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return out.String(), errb.String(), err
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, err := runCmd(t, nil, "help")
	if err != nil {
		t.Fatal(err)
	}
	for name := range commands() {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help does not list %s:\n%s", name, out)
		}
		h, _, err := runCmd(t, nil, name, "-h")
		if err != nil || !strings.Contains(h, "Usage: salesrecipe "+name) {
			t.Errorf("%s -h: %v\n%s", name, err, h)
		}
	}
	for _, env := range []string{"SALESRECIPE_CLICKHOUSE", "SALESRECIPE_DATA", "SALESRECIPE_CHDB_LIB"} {
		if !strings.Contains(out, env) {
			t.Errorf("help does not mention %s", env)
		}
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	_, stderr, err := runCmd(t, nil, "frobnicate")
	if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("err %v, stderr %s", err, stderr)
	}
}

func TestServeRefusesUnprotectedEngine(t *testing.T) {
	_, stderr, err := runCmd(t, nil, "serve", "--clickhouse-listen", "127.0.0.1:0")
	if !errors.Is(err, errUsage) || !strings.Contains(stderr, "needs --clickhouse-password") {
		t.Fatalf("err %v, stderr %s", err, stderr)
	}
}

// binary builds the salesrecipe binary once per test run.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "salesrecipe-bin-")
	if err != nil {
		return "", err
	}
	engine.AtExit(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "salesrecipe")
	out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return path, nil
})

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls url until it answers want or the deadline passes.
func waitFor(t *testing.T, url string, want int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == want {
				return string(b)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d", url, want)
	return ""
}

func TestBinaryWithoutLibraryServesFromAServer(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	// A real ClickHouse engine exposed over HTTP plays the server.
	e := engine.Get(t)
	if _, err := e.Query(context.Background(), chdb.Request{SQL: "CREATE DATABASE IF NOT EXISTS srv"}); err != nil {
		t.Fatal(err)
	}
	srvAddr := freeAddr(t)
	srv := &http.Server{Addr: srvAddr, Handler: e.Handler(chdb.HandlerOptions{Password: "pw"}), ReadHeaderTimeout: time.Second}
	go srv.ListenAndServe()
	t.Cleanup(func() { srv.Close() })

	missing := filepath.Join(t.TempDir(), "no", "libchdb.so")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--clickhouse", "http://default:pw@"+srvAddr+"/srv")
	cmd.Env = append(os.Environ(), "SALESRECIPE_CHDB_LIB="+missing)
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	waitFor(t, "http://"+addr+"/healthz", 200)
	if body := waitFor(t, "http://"+addr+"/readyz", 200); !strings.Contains(body, "ready") {
		t.Fatalf("readyz: %s", body)
	}
	if strings.Contains(logs.String(), "pw@") {
		t.Errorf("the password was logged:\n%s", logs.String())
	}

	// The embedded path, without the library, says how to fetch it.
	out, err := exec.Command(bin, "migrate", "--data", t.TempDir(), "--chdb-lib", missing).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "make chdb") || !strings.Contains(string(out), "npm pack") {
		t.Fatalf("embedded without library: %v\n%s", err, out)
	}
	// version still prints the program version.
	out, err = exec.Command(bin, "version", "--chdb-lib", missing, "--data", t.TempDir()).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "salesrecipe ") || !strings.Contains(string(out), "unavailable") {
		t.Fatalf("version: %v\n%s", err, out)
	}
}

func TestServeGracefulShutdownAndQuery(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data)
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "http://"+addr+"/readyz", 200)
	// A second process on the same data directory is told who holds it.
	out, err := exec.Command(bin, "query", "--data", data, "SELECT 1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), fmt.Sprintf("pid %d", cmd.Process.Pid)) && !strings.Contains(string(out), fmt.Sprintf("process %d", cmd.Process.Pid)) {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGINT:\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs.String())
	}
	// After shutdown the directory is free; query reads and refuses writes.
	out, err = exec.Command(bin, "query", "--data", data, "--format", "tsv", "SELECT count() AS n FROM system.tables WHERE database = 'salesrecipe' AND name = 'activities'").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "n\n1\n") {
		t.Fatalf("query: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "query", "--data", data, "DROP TABLE activities").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "READONLY") {
		t.Fatalf("write statement not refused: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "version", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "clickhouse: 26.") {
		t.Fatalf("version: %v\n%s", err, out)
	}
}

// runBin runs the built binary (the embedded engine opens one data directory
// per process, so commands that open a store run in their own process).
func runBin(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestIngestCommand(t *testing.T) {
	data := t.TempDir()
	firm := t.TempDir()
	if _, _, err := runCmd(t, nil, "synth", "--out", firm, "--reps", "5", "--months", "3", "--start", "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", data, "--log-level", "warn"}
	for _, kind := range []string{"reps", "quotas", "stages", "activities", "deals"} {
		args := append(append([]string{"ingest"}, store...), "--kind", kind, filepath.Join(firm, kind+".csv"))
		out, stderr, code := runBin(t, nil, args...)
		if code != 0 || !strings.Contains(out, kind+": read ") || !strings.Contains(out, "rejected 0, duplicates 0") {
			t.Fatalf("ingest %s: exit %d\n%s%s", kind, code, out, stderr)
		}
	}
	// Standard input, the same rows again: all duplicates.
	f, err := os.ReadFile(filepath.Join(firm, "reps.csv"))
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runBin(t, f, append(append([]string{"ingest"}, store...), "--kind", "reps", "-")...)
	if code != 0 || !strings.Contains(out, "reps: read 5, loaded 0, rejected 0, duplicates 5") {
		t.Fatalf("stdin: exit %d\n%s%s", code, out, stderr)
	}
	// A strict load with a bad row exits 1, says where, and writes nothing.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("activity_id,rep_id,kind,occurred_at\nz1,r0001,call,2026-01-05T10:00:00Z\nz2,r0001,call,31/01/2026\n"+
		"z3,r0001,call,9999-12-31T23:59:59Z\n"), 0o644)
	_, stderr, code = runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "activities", bad)...)
	if code != 1 || !strings.Contains(stderr, `bad.csv:3: column occurred_at: value "31/01/2026"`) ||
		!strings.Contains(stderr, `bad.csv:4: column occurred_at: value "9999-12-31T23:59:59Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`) {
		t.Fatalf("strict: exit %d\n%s", code, stderr)
	}
	// An amount the Decimal column cannot hold is the input's error, named, not a storage failure.
	badDeal := filepath.Join(t.TempDir(), "deals.csv")
	os.WriteFile(badDeal, []byte("deal_id,rep_id,stage,status,amount,created_at,close_date,updated_at\n"+
		"x1,r0001,Proposal,open,100000000000000000,2026-01-05T10:00:00Z,2026-02-01,2026-01-06T10:00:00Z\n"), 0o644)
	_, stderr, code = runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", "deals", badDeal)...)
	if code != 1 || !strings.Contains(stderr, `deals.csv:2: column amount: value "100000000000000000": above the largest amount, 9999999999999.99`) ||
		strings.Contains(stderr, "storage failed") {
		t.Fatalf("amount beyond the Decimal: exit %d\n%s", code, stderr)
	}
	out2, stderr, code := runBin(t, nil, append(append([]string{"status"}, store...), "--format", "json")...)
	if code != 0 {
		t.Fatalf("status: exit %d %s", code, stderr)
	}
	var status map[string]struct {
		Rows  uint64
		First *time.Time
	}
	if err := json.Unmarshal([]byte(out2), &status); err != nil {
		t.Fatalf("%v: %s", err, out2)
	}
	if status["reps"].Rows != 5 || status["activities"].Rows == 0 || status["activities"].First.Before(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("status: %s", out2)
	}
	// Usage mistakes are exit 2.
	if _, _, err := runCmd(t, nil, "ingest", "--kind", "activities", "--skip-invalid", bad); exitCode(err) != 2 {
		t.Fatalf("--skip-invalid without --rejects: %v", err)
	}
}

func TestClickHouseListenSharesTheEmbeddedEngine(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	data, addr, chAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data, "--clickhouse-listen", chAddr, "--clickhouse-password", "s3cret")
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	waitFor(t, "http://"+addr+"/readyz", 200)
	waitFor(t, "http://"+chAddr+"/ping", 200)
	// Another process reaches the engine over the listen address, with the password only.
	out, stderr, code := runBin(t, nil, "query", "--clickhouse", "http://default:s3cret@"+chAddr+"/salesrecipe", "--format", "tsv",
		"SELECT count() AS n FROM system.tables WHERE database = 'salesrecipe' AND name = 'deal_versions'")
	if code != 0 || out != "n\n1\n" {
		t.Fatalf("query over --clickhouse-listen: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, code = runBin(t, nil, "query", "--clickhouse", "http://default:wrong@"+chAddr+"/salesrecipe", "SELECT 1")
	if code == 0 || !strings.Contains(stderr, "516") {
		t.Fatalf("wrong password accepted: exit %d %s", code, stderr)
	}
	if strings.Contains(logs.String(), "s3cret") {
		t.Errorf("password logged:\n%s", logs.String())
	}
}
