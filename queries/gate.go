package queries

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Readers see whole loads. A commit that changes stored rows (the swap of an
// activities load's months, the insert of another kind's rows) is journalled
// ('swap' before, 'done' after) and holds its firm's gate exclusively; every
// read of a firm's data runs through Store.read:
//   - when only this store writes the data (it opened the embedded engine and
//     no handler exposes it), the read holds the firm's gate shared, so it
//     runs before or after each commit;
//   - otherwise another process may commit, so the read is also checked
//     against the firm's commit generation in the journal, a seqlock: it waits
//     while a commit is open, reads, and runs again if a commit began
//     meanwhile. A commit left open by a load that died is finished by the
//     reader (or by the next load, or by Recover at start).

// Read waits: a reader polls an open commit from readPoll, doubling to
// readPollMax, for at most Config.ReadWait (default defaultReadWait, longer
// than a lease of a dead process on another host takes to go stale).
const (
	readPoll        = 5 * time.Millisecond
	readPollMax     = 200 * time.Millisecond
	defaultReadWait = 45 * time.Second
)

// ErrCommitOpen is wrapped by a read that gave up waiting for a firm's loads to finish committing.
var ErrCommitOpen = errors.New("a load's commit stayed open")

// firmGate orders one firm's reads and commits within this process.
type firmGate struct {
	rw     sync.RWMutex // commits hold it exclusively, reads shared
	broken atomic.Bool  // a commit of this process stopped half way; reads check the journal until it is finished
	fix    sync.Mutex   // one reader of this store at a time finishes a dead load's commit

	seenMu sync.Mutex
	seen   genSeen // the latest observation of the firm's commit generation
	seenOK bool
}

// gates holds the firms' gates of one store.
type gates struct {
	mu sync.Mutex
	m  map[string]*firmGate
}

// of returns the firm's gate, making it on first use.
func (g *gates) of(firm string) *firmGate {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*firmGate{}
	}
	fg, ok := g.m[firm]
	if !ok {
		fg = &firmGate{}
		g.m[firm] = fg
	}
	return fg
}

// exclusive reports whether only this store writes its data: it opened the
// embedded engine and no handler exposes the engine to other processes.
func (s *Store) exclusive() bool {
	return s.solo && (s.engine == nil || !s.engine.Exposed())
}

// commit runs fn, which changes a firm's stored rows, journalled and holding
// the firm's gate exclusively, so no reader sees part of it. A failed fn
// leaves the commit open in the journal (to be finished by the next load or
// a reader): readers wait for it instead of reading half of it.
func (s *Store) commit(ctx context.Context, firm string, kind Kind, ws swapSet, months []uint32, fn func(context.Context) error) (err error) {
	return s.commitPhase(ctx, firm, kind, ws, months, "swap", fn)
}

// commitPhase runs a commit whose first journal row says phase: "swap" for
// a new commit, "redo" for one that finishes the commit of a load that died.
func (s *Store) commitPhase(ctx context.Context, firm string, kind Kind, ws swapSet, months []uint32, phase string, fn func(context.Context) error) (err error) {
	g := s.gates.of(firm)
	g.rw.Lock()
	defer func() {
		if err != nil {
			g.broken.Store(true)
		}
		g.rw.Unlock()
	}()
	if err := s.journal(ctx, firm, kind, ws, months, phase); err != nil {
		return err
	}
	if err := fn(ctx); err != nil {
		return err
	}
	return s.journal(ctx, firm, kind, ws, months, "done")
}

// read runs fn, one read of a firm's data, so that it sees every load of the
// firm whole or not at all; fn may run more than once.
func (s *Store) read(ctx context.Context, firm string, fn func(context.Context) error) error {
	g := s.gates.of(firm)
	if s.exclusive() {
		g.rw.RLock()
		if !g.broken.Load() {
			defer g.rw.RUnlock()
			return fn(ctx)
		}
		g.rw.RUnlock()
	}
	return s.readChecked(ctx, firm, g, fn)
}

// readChecked runs fn until no commit of the firm began or was open since
// the last observation of the firm's commit generation made before fn began
// (any earlier one will do, so the check after one read serves as the check
// before the next, and a read costs one small query more), finishing the
// commits of dead loads, for at most the store's read wait.
func (s *Store) readChecked(ctx context.Context, firm string, g *firmGate, fn func(context.Context) error) error {
	deadline := time.Now().Add(s.readWait) // real time, whatever the store's clock
	wait := readPoll
	before, ok := g.last()
	for {
		if !ok {
			var err error
			if before, err = s.observe(ctx, firm, g); err != nil {
				return err
			}
		}
		var why error
		if before.open == 0 {
			g.rw.RLock()
			err := fn(ctx)
			g.rw.RUnlock()
			if err != nil {
				return err
			}
			after, err := s.observe(ctx, firm, g)
			if err != nil {
				return err
			}
			if after.gen == before.gen {
				if g.broken.Load() {
					s.settle(ctx, firm, g)
				}
				return nil
			}
			before, ok = after, true // read again at once, unless a commit is open
			if after.open == 0 {
				continue
			}
			why = errors.New("a load began committing while it read")
		} else {
			why = s.finishDead(ctx, firm, g, deadline)
			ok = false
		}
		if !time.Now().Before(deadline) {
			if why == nil {
				why = errors.New("its load is being finished")
			}
			return fmt.Errorf("read firm %s: %w for %v: %w", firm, ErrCommitOpen, s.readWait, why)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return fmt.Errorf("read firm %s: wait for a load's commit: %w", firm, err)
		}
		wait = min(2*wait, readPollMax)
		ok = false
	}
}

// genSeen is one observation of a firm's commit generation.
type genSeen struct {
	gen, open uint64
}

// last returns the latest observation of the firm's commit generation, if any.
func (g *firmGate) last() (genSeen, bool) {
	g.seenMu.Lock()
	defer g.seenMu.Unlock()
	return g.seen, g.seenOK
}

// observe reads the firm's commit generation and keeps it for the next read.
func (s *Store) observe(ctx context.Context, firm string, g *firmGate) (genSeen, error) {
	gen, open, err := s.generation(ctx, firm)
	if err != nil {
		return genSeen{}, err
	}
	v := genSeen{gen: gen, open: open}
	g.seenMu.Lock()
	defer g.seenMu.Unlock()
	if !g.seenOK || gen >= g.seen.gen {
		g.seen, g.seenOK = v, true
	}
	return v, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// generation reads the firm's commit generation (how many journal rows its
// loads wrote) and how many of its commits are open.
func (s *Store) generation(ctx context.Context, firm string) (gen, open uint64, err error) {
	err = s.conn.QueryRow(ctx, s.sql("firm_generation"), clickhouse.Named("firm", firm)).Scan(&gen, &open)
	if err != nil {
		return 0, 0, fmt.Errorf("read the commit generation of firm %s: %w", firm, err)
	}
	return gen, open, nil
}

// settle clears the gate's broken mark once the journal holds no open
// commit of the firm; it holds the gate exclusively, so no commit of this
// store is under way.
func (s *Store) settle(ctx context.Context, firm string, g *firmGate) {
	g.rw.Lock()
	defer g.rw.Unlock()
	if _, open, err := s.generation(ctx, firm); err == nil && open == 0 {
		g.broken.Store(false)
	}
}

// finishDead finishes the firm's open commits whose load is gone (its lease
// is free, or its holder died) and returns why the reader still waits.
func (s *Store) finishDead(ctx context.Context, firm string, g *firmGate, deadline time.Time) error {
	var kinds []Kind
	err := s.scanAll(ctx, "journal_open_kinds", func(r driver.Rows) error {
		var k string
		err := r.Scan(&k)
		kinds = append(kinds, Kind(k))
		return err
	}, clickhouse.Named("firm", firm))
	if err != nil {
		return err
	}
	var why []error
	for _, kind := range kinds {
		h, age, held, err := s.leaseState(ctx, leaseTable(firm, kind))
		if err != nil {
			why = append(why, err)
			continue
		}
		if held && !h.gone(s.self) && age < leaseStale {
			why = append(why, fmt.Errorf("a load of %s (host %s, pid %d) is committing", kind, h.host, h.pid))
			continue
		}
		if !g.fix.TryLock() {
			why = append(why, fmt.Errorf("another reader is finishing the commit of a load of %s that died", kind))
			continue
		}
		rctx, cancel := context.WithDeadline(ctx, deadline)
		s.log.WarnContext(ctx, "a reader finishes the commit of a load that died", "firm", firm, "kind", kind)
		err = s.recoverFirm(rctx, firm, kind, false)
		cancel()
		g.fix.Unlock()
		if err != nil {
			why = append(why, fmt.Errorf("finish the commit of a load of %s that died (a load or a process that can write finishes it): %w", kind, err))
		}
	}
	return errors.Join(why...)
}

// firmRows runs a named read of one firm's data through Store.read and
// returns its rows, each made by scan.
func firmRows[T any](ctx context.Context, s *Store, firm, name string, scan func(driver.Rows) (T, error), args ...any) ([]T, error) {
	var out []T
	err := s.read(ctx, firm, func(ctx context.Context) error {
		out = out[:0]
		return s.scanAll(ctx, name, func(r driver.Rows) error {
			v, err := scan(r)
			out = append(out, v)
			return err
		}, args...)
	})
	return out, err
}
