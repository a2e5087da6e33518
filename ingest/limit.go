package ingest

import (
	"context"
	"sync"
	"time"
)

// The defaults of a LoadLimiter: loads in flight per firm, and how long a further one waits.
const (
	DefaultLoadsPerFirm = 2
	DefaultLoadWait     = 5 * time.Second
)

// LoadLimiter bounds how many loads of one firm run at once; a further load waits for a slot,
// for a while, and is then refused. It is safe for concurrent use.
type LoadLimiter struct {
	perFirm int
	wait    time.Duration
	mu      sync.Mutex
	slots   map[string]chan struct{}
}

// NewLoadLimiter allows perFirm loads of each firm at once (at least 1); a further one waits up to wait.
func NewLoadLimiter(perFirm int, wait time.Duration) *LoadLimiter {
	return &LoadLimiter{perFirm: max(1, perFirm), wait: max(0, wait), slots: map[string]chan struct{}{}}
}

// acquire takes a slot of firm, waiting up to l.wait or until ctx ends; ok is false when none came free.
func (l *LoadLimiter) acquire(ctx context.Context, firm string) (release func(), ok bool) {
	slots := l.firmSlots(firm)
	release = func() { <-slots }
	select {
	case slots <- struct{}{}:
		return release, true
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// firmSlots returns the semaphore of firm, made on first use.
func (l *LoadLimiter) firmSlots(firm string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.slots[firm]
	if !ok {
		s = make(chan struct{}, l.perFirm)
		l.slots[firm] = s
	}
	return s
}
