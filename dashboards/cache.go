package dashboards

import (
	"context"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// cache keeps computed answers for a while and computes each key once at a
// time: concurrent requests for the same key wait for the one computation.
type cache struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one cached answer, or one being computed (done open).
type entry struct {
	done    chan struct{}
	val     any
	err     error
	expires time.Time
}

// newCache returns a cache of at most max entries.
func newCache(now func() time.Time, max int) *cache {
	return &cache{now: now, max: max, entries: map[string]*entry{}}
}

// get returns the value under key, computing it with fn when it is missing or
// expired; errors are not kept. A caller whose context ends stops waiting.
func (c *cache) get(ctx context.Context, key string, ttl time.Duration, fn func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !isDone(e.done) {
		c.mu.Unlock()
		return wait(ctx, e)
	}
	if ok && e.err == nil && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.val, nil
	}
	e = &entry{done: make(chan struct{})}
	c.evict()
	c.entries[key] = e
	c.mu.Unlock()

	// The computation outlives a caller who gives up, so the next caller finds it.
	e.val, e.err = fn(context.WithoutCancel(ctx))
	c.mu.Lock()
	e.expires = c.now().Add(ttl)
	if e.err != nil {
		delete(c.entries, key)
	}
	close(e.done)
	c.mu.Unlock()
	return e.val, e.err
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
		if !now.Before(e.expires) {
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

// cached is get with a typed result.
func cached[T any](ctx context.Context, s *Server, key string, fn func(context.Context) (T, error)) (T, error) {
	v, err := s.cache.get(ctx, key, s.cfg.Freshness, func(ctx context.Context) (any, error) { return fn(ctx) })
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
