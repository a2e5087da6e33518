package dashboards

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// cache keeps computed answers for a while and computes each key once at a
// time: concurrent requests for the same key wait for the one computation.
type cache struct {
	now func() time.Time
	max int
	log *slog.Logger

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one cached answer, or one being computed (done open).
type entry struct {
	done    chan struct{}
	val     any
	err     error
	expires time.Time
	// stale is how long past expires the answer may still be served while a
	// refresh runs in the background; refreshing is set while it runs.
	stale      time.Duration
	refreshing bool
}

// newCache returns a cache of at most max entries; failed background refreshes are logged.
func newCache(now func() time.Time, max int, log *slog.Logger) *cache {
	return &cache{now: now, max: max, log: log, entries: map[string]*entry{}}
}

// get returns the value under key, computing it with fn when it is missing or
// expired; errors are not kept. Within stale after expiry the old value is
// returned at once while one refresh runs in the background. A caller whose
// context ends stops waiting.
func (c *cache) get(ctx context.Context, key string, ttl, stale time.Duration, fn func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !isDone(e.done) {
		c.mu.Unlock()
		return wait(ctx, e)
	}
	now := c.now()
	if ok && now.Before(e.expires) {
		c.mu.Unlock()
		return e.val, nil
	}
	if ok && now.Before(e.expires.Add(e.stale)) {
		if !e.refreshing {
			e.refreshing = true
			go c.refresh(context.WithoutCancel(ctx), key, e, ttl, fn)
		}
		c.mu.Unlock()
		return e.val, nil
	}
	e = &entry{done: make(chan struct{}), stale: stale}
	c.evict()
	c.entries[key] = e
	c.mu.Unlock()
	// The computation runs on its own and outlives a caller who stops
	// waiting, so the next caller finds it.
	go c.compute(context.WithoutCancel(ctx), key, e, ttl, fn)
	return wait(ctx, e)
}

// compute fills a new entry.
func (c *cache) compute(ctx context.Context, key string, e *entry, ttl time.Duration, fn func(context.Context) (any, error)) {
	val, err := protect(ctx, fn)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.val, e.err, e.expires = val, err, c.now().Add(ttl)
	if err != nil && c.entries[key] == e {
		delete(c.entries, key)
	}
	close(e.done)
}

// protect runs fn, turning a panic into an error: computations run on their
// own goroutines, where a panic would end the process.
func protect(ctx context.Context, fn func(context.Context) (any, error)) (val any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}

// refresh recomputes a stale entry; on success the new answer replaces it, on
// failure the old one stays until it is too stale.
func (c *cache) refresh(ctx context.Context, key string, old *entry, ttl time.Duration, fn func(context.Context) (any, error)) {
	val, err := protect(ctx, fn)
	c.mu.Lock()
	defer c.mu.Unlock()
	old.refreshing = false
	if err != nil {
		c.log.Error("background refresh failed; serving the previous answer", "err", err)
		return
	}
	if c.entries[key] != old {
		return
	}
	done := make(chan struct{})
	close(done)
	c.entries[key] = &entry{done: done, val: val, expires: c.now().Add(ttl), stale: old.stale}
}

// wait waits for another caller's computation.
func wait(ctx context.Context, e *entry) (any, error) {
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// isDone reports whether ch is closed.
func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// forget drops a finished entry, so the next caller computes it again.
func (c *cache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && isDone(e.done) {
		delete(c.entries, key)
	}
}

// lookup returns the finished, unexpired answer under key.
func (c *cache) lookup(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !isDone(e.done) || e.err != nil || !c.now().Before(e.expires) {
		return nil, false
	}
	return e.val, true
}

// put stores an answer computed elsewhere under key for ttl.
func (c *cache) put(key string, val any, ttl time.Duration) {
	done := make(chan struct{})
	close(done)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evict()
	c.entries[key] = &entry{done: done, val: val, expires: c.now().Add(ttl)}
}

// evict makes room: it drops expired entries, then the soonest to expire. The lock is held.
func (c *cache) evict() {
	if len(c.entries) < c.max {
		return
	}
	now := c.now()
	var soonest string
	var at time.Time
	for k, e := range c.entries {
		if !isDone(e.done) {
			continue
		}
		if !now.Before(e.expires.Add(e.stale)) {
			delete(c.entries, k)
			continue
		}
		if soonest == "" || e.expires.Before(at) {
			soonest, at = k, e.expires
		}
	}
	if len(c.entries) >= c.max && soonest != "" {
		delete(c.entries, soonest)
	}
}

// cached is get with a typed result, fresh for the server's Freshness and
// served stale for up to ten times as long while it refreshes.
func cached[T any](ctx context.Context, s *Server, key string, fn func(context.Context) (T, error)) (T, error) {
	return cachedFor(ctx, s, key, s.cfg.Freshness, 10*s.cfg.Freshness, fn)
}

// cachedFor is get with a typed result and its own freshness.
func cachedFor[T any](ctx context.Context, s *Server, key string, ttl, stale time.Duration, fn func(context.Context) (T, error)) (T, error) {
	v, err := s.cache.get(ctx, key, ttl, stale, func(ctx context.Context) (any, error) { return fn(ctx) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// reps returns the firm's reps, cached.
func (s *Server) reps(ctx context.Context, firm string) ([]salesrecipe.Rep, error) {
	return cached(ctx, s, "reps\x00"+firm, func(ctx context.Context) ([]salesrecipe.Rep, error) {
		return s.cfg.Store.Reps(ctx, firm)
	})
}
