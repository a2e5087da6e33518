package dashboards

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	type step struct {
		advance time.Duration
		fail    bool // this call's computation fails
		want    int  // the value the call returns; 0 for an error
		calls   int  // computations after the call and any refresh it started
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"fresh answers are reused", []step{{0, false, 1, 1}, {30 * time.Second, false, 1, 1}}},
		{"stale answers are served while a refresh runs", []step{{0, false, 1, 1}, {90 * time.Second, false, 1, 2}, {0, false, 2, 2}}},
		{"too stale answers are recomputed", []step{{0, false, 1, 1}, {20 * time.Minute, false, 2, 2}}},
		{"errors are not kept", []step{{0, true, 0, 1}, {0, false, 2, 2}}},
		{"a failed refresh keeps the old answer and retries", []step{{0, false, 1, 1}, {90 * time.Second, true, 1, 2}, {0, false, 1, 3}, {0, false, 3, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: testNow}
			c := newCache(clk.Now, 8, quiet)
			calls := 0
			for i, st := range tt.steps {
				clk.Add(st.advance)
				v, err := c.get(context.Background(), "k", time.Minute, 10*time.Minute, func(context.Context) (any, error) {
					calls++
					if st.fail {
						return nil, errors.New("boom")
					}
					return calls, nil
				})
				settle(c, "k")
				got, _ := v.(int)
				if got != st.want || (err != nil) != (st.want == 0) || calls != st.calls {
					t.Fatalf("step %d: got %v, %v after %d computations; want %d after %d", i, v, err, calls, st.want, st.calls)
				}
			}
		})
	}
}

// settle waits until no refresh of key runs.
func settle(c *cache, key string) {
	for {
		c.mu.Lock()
		e, ok := c.entries[key]
		busy := ok && e.refreshing
		c.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCacheComputesOnceForConcurrentCallers(t *testing.T) {
	c := newCache(time.Now, 8, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.get(context.Background(), "k", time.Minute, 0, func(context.Context) (any, error) {
				calls.Add(1)
				<-release
				return 7, nil
			})
			if err != nil || v != 7 {
				t.Errorf("got %v %v", v, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d computations for one key", calls.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.get(ctx, "slow", time.Minute, 0, func(context.Context) (any, error) { time.Sleep(200 * time.Millisecond); return 1, nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller that stops waiting: %v", err)
	}
	time.Sleep(250 * time.Millisecond)
	if v, err := c.get(context.Background(), "slow", time.Minute, 0, nil); v != 1 || err != nil {
		t.Errorf("the computation did not go on without its caller: %v %v", v, err)
	}
}
