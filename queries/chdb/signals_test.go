package chdb_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// inChild runs the named test in a fresh process of this test binary with a
// deadline, so a hang (the symptom of broken signal handlers) fails instead of blocking.
func inChild(t *testing.T, name string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), append(env, "CHDB_TEST_CHILD=1")...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s hung (signal handlers broken?):\n%s", name, out)
	}
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", name, err, out)
	}
	return string(out)
}

func TestSignalHandlersSurviveEngine(t *testing.T) {
	out := inChild(t, "TestChildSignals")
	if !strings.Contains(out, "recovered nil dereference") || !strings.Contains(out, "preempted spinning goroutine") {
		t.Fatalf("child did not report both checks:\n%s", out)
	}
}

// TestChildSignals is the body of TestSignalHandlersSurviveEngine, run in a child process.
func TestChildSignals(t *testing.T) {
	if os.Getenv("CHDB_TEST_CHILD") == "" {
		t.Skip("runs only as a child of TestSignalHandlersSurviveEngine")
	}
	e := engine(t)
	if _, err := e.Query(context.Background(), chdb.Request{SQL: "SELECT count() FROM numbers(1000)"}); err != nil {
		t.Fatal(err)
	}
	if err := recoverNilDeref(); err == nil {
		t.Fatal("nil dereference did not panic")
	}
	t.Log("recovered nil dereference")

	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var stop, spinning atomic.Bool
	go func() {
		spinning.Store(true)
		for !stop.Load() { // no function call: only asynchronous preemption can stop it
		}
	}()
	for !spinning.Load() {
		runtime.Gosched()
	}
	time.Sleep(20 * time.Millisecond) // returns only if the spinner is preempted
	stop.Store(true)
	t.Log("preempted spinning goroutine")
	if _, err := e.Query(context.Background(), chdb.Request{SQL: "SELECT 1"}); err != nil {
		t.Fatal(err)
	}
}

// recoverNilDeref dereferences a nil pointer in a goroutine and returns the recovered panic.
func recoverNilDeref() error {
	done := make(chan error)
	go func() {
		defer func() {
			r := recover()
			if err, ok := r.(error); ok {
				done <- err
				return
			}
			done <- errors.New("no runtime error")
		}()
		var p *struct{ n int }
		p.n++
		done <- nil
	}()
	return <-done
}
