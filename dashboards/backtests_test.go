package dashboards

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// fakeBacktests replaces a server's backtests with ones that hold their slot
// until released or cancelled, counting how many run at once.
type fakeBacktests struct {
	running, most, cancelled atomic.Int32
	release                  map[string]chan struct{} // by firm
	started                  chan struct{}
}

// run is the server's runBacktest during the test.
func (fb *fakeBacktests) run(ctx context.Context, br forecast.BacktestRequest, _ time.Time) (*forecast.Backtest, error) {
	n := fb.running.Add(1)
	defer fb.running.Add(-1)
	for m := fb.most.Load(); n > m && !fb.most.CompareAndSwap(m, n); m = fb.most.Load() {
	}
	fb.started <- struct{}{}
	select {
	case <-fb.release[br.Firm]:
		return &forecast.Backtest{Firm: br.Firm}, nil
	case <-ctx.Done():
		fb.cancelled.Add(1)
		return nil, ctx.Err()
	}
}

func TestBacktestsAreBoundedAndCancelled(t *testing.T) {
	f := emptyFixture(t)
	const k = 2
	f.srv.jobs = newBacktests(k, time.Hour)
	f.srv.cfg.BacktestWait = time.Hour
	fb := &fakeBacktests{release: map[string]chan struct{}{"acme": make(chan struct{}), "globex": make(chan struct{})},
		started: make(chan struct{}, 100)}
	f.srv.runBacktest = fb.run
	f.srv.heavy = newLimiter(1000, time.Second, f.clock.Now)

	// k clients ask for backtests of distinct days and hang up while they run.
	var wg sync.WaitGroup
	cancels := make([]context.CancelFunc, k)
	for i := range k {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		r := httptest.NewRequestWithContext(ctx, "GET", fmt.Sprintf("/api/v1/backtest?as_of=2026-02-%02d", i+1), nil)
		r.Header.Set("Authorization", "Bearer "+tokens["admin"])
		wg.Go(func() { f.send(r) })
		<-fb.started
	}
	// Many more distinct as_of requests meanwhile are refused, not run.
	for day := 10; day < 28; day++ {
		for _, asOf := range []string{fmt.Sprintf("2026-02-%02d", day), fmt.Sprintf("2026-02-%02dT08:00:00Z", day)} {
			res := f.get(t, "manager", "/api/v1/backtest?as_of="+asOf)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Fatalf("as_of=%s while %d run: %d, Retry-After %q", asOf, k, res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
	}
	if got := fb.most.Load(); got != k {
		t.Errorf("%d backtests of acme ran at once, want %d (the bound)", got, k)
	}
	// Another firm is not held up by acme's backtests.
	go func() { <-fb.started; fb.release["globex"] <- struct{}{} }()
	if res := f.get(t, "other-firm", "/api/v1/backtest?as_of=2026-02-03"); res.StatusCode != http.StatusOK {
		t.Errorf("another firm's backtest: %d", res.StatusCode)
	}
	for _, cancel := range cancels {
		cancel()
	}
	wg.Wait()
	for f.srv.jobs.inFlight("acme") > 0 {
		time.Sleep(time.Millisecond)
	}
	if got := fb.cancelled.Load(); got != k {
		t.Errorf("%d backtests stopped when their clients hung up, want %d", got, k)
	}
	// Two as_of spellings of one day share one backtest.
	go func() { <-fb.started; fb.release["acme"] <- struct{}{} }()
	if res := f.get(t, "admin", "/api/v1/backtest?as_of=2026-02-05"); res.StatusCode != http.StatusOK {
		t.Fatalf("a backtest after the cancelled ones: %d", res.StatusCode)
	}
	if res := f.get(t, "admin", "/api/v1/backtest?as_of=2026-02-05T09:30:00Z"); res.StatusCode != http.StatusOK {
		t.Errorf("the same day as an RFC 3339 time did not reuse the backtest: %d", res.StatusCode)
	}
	// Each user has a rate of expensive requests of their own.
	f.srv.heavy = newLimiter(2, time.Minute, f.clock.Now)
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		if res := f.get(t, "admin", "/accuracy?as_of=2026-02-05"); res.StatusCode != want {
			t.Errorf("admin's expensive request %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	if res := f.get(t, "manager", "/accuracy?as_of=2026-02-05"); res.StatusCode != http.StatusOK {
		t.Errorf("another user, limited by the admin's requests: %d", res.StatusCode)
	}
}
