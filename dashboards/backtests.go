package dashboards

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// backtests runs the firms' backtests in the background: at most perFirm of
// one firm at once, each shared by every request for the same one, and each
// cancelled as soon as nobody waits for it. A request that stops waiting
// because its wait ran out (it was told to come back) keeps the backtest
// going for lease; a request whose client went away lets go at once.
type backtests struct {
	perFirm int
	lease   time.Duration

	mu      sync.Mutex
	running map[string]*backtestJob
	byFirm  map[string]int
}

// backtestJob is one running backtest.
type backtestJob struct {
	firm   string
	done   chan struct{}
	val    *forecast.Backtest
	err    error
	refs   int
	cancel context.CancelFunc
}

// errBacktestsBusy answers a request for a new backtest while the firm runs as many as it may.
var errBacktestsBusy = &httpError{code: http.StatusServiceUnavailable, retryAfter: 30,
	msg: "as many backtests of this firm as the server runs at once are running; retry in half a minute"}

// newBacktests returns a runner of at most perFirm backtests per firm at once.
func newBacktests(perFirm int, lease time.Duration) *backtests {
	return &backtests{perFirm: perFirm, lease: lease, running: map[string]*backtestJob{}, byFirm: map[string]int{}}
}

// run waits at most wait for the backtest under key, starting it with fn when
// it is not running and the firm has a free slot (errBacktestsBusy otherwise).
// When the wait runs out it returns errBacktestRunning; when ctx ends, ctx's error.
func (b *backtests) run(ctx context.Context, firm, key string, wait time.Duration, fn func(context.Context) (*forecast.Backtest, error)) (*forecast.Backtest, error) {
	j, err := b.join(ctx, firm, key, fn)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-j.done:
		b.release(j)
		return j.val, j.err
	case <-ctx.Done():
		b.release(j)
		return nil, ctx.Err()
	case <-t.C:
		time.AfterFunc(b.lease, func() { b.release(j) })
		return nil, errBacktestRunning
	}
}

// join counts the caller as waiting for the job under key, starting it when needed.
func (b *backtests) join(ctx context.Context, firm, key string, fn func(context.Context) (*forecast.Backtest, error)) (*backtestJob, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	j, ok := b.running[key]
	if !ok {
		if b.byFirm[firm] >= b.perFirm {
			return nil, errBacktestsBusy
		}
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		j = &backtestJob{firm: firm, done: make(chan struct{}), cancel: cancel}
		b.running[key] = j
		b.byFirm[firm]++
		go b.execute(jctx, key, j, fn)
	}
	j.refs++
	return j, nil
}

// execute runs a job and frees its slot when it returns.
func (b *backtests) execute(ctx context.Context, key string, j *backtestJob, fn func(context.Context) (*forecast.Backtest, error)) {
	v, err := protect(ctx, func(ctx context.Context) (any, error) { return fn(ctx) })
	b.mu.Lock()
	defer b.mu.Unlock()
	j.val, _ = v.(*forecast.Backtest)
	j.err = err
	j.cancel()
	delete(b.running, key)
	if b.byFirm[j.firm]--; b.byFirm[j.firm] == 0 {
		delete(b.byFirm, j.firm)
	}
	close(j.done)
}

// release stops counting one waiter; the last one gone cancels the job.
func (b *backtests) release(j *backtestJob) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if j.refs--; j.refs == 0 {
		j.cancel()
	}
}

// inFlight returns how many backtests of the firm run now.
func (b *backtests) inFlight(firm string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byFirm[firm]
}
