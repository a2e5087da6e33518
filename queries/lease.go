package queries

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// Lease timing: a holder stamps its lease every leaseBeat; a lease not
// stamped for leaseStale is taken over (a holder on this host whose process
// is gone is taken over at once).
const (
	leaseBeat    = 2 * time.Second
	leaseStale   = 30 * time.Second
	leasePoll    = 50 * time.Millisecond // the first wait for a held lease; it doubles up to leasePollMax
	leasePollMax = time.Second
)

// holder names a process that owns tables in the store: host, pid and a token.
type holder struct {
	host  string
	pid   int
	token string
}

// newHolder describes this process.
func newHolder() holder {
	host, _ := os.Hostname()
	return holder{host: host, pid: os.Getpid(), token: strings.ToLower(rand.Text()[:16])}
}

// comment renders the holder as a table comment.
func (h holder) comment() string {
	return "salesrecipe " + h.host + " " + strconv.Itoa(h.pid) + " " + h.token
}

// parseHolder reads a table comment written by comment.
func parseHolder(c string) (holder, bool) {
	f := strings.Fields(c)
	if len(f) != 4 || f[0] != "salesrecipe" {
		return holder{}, false
	}
	pid, err := strconv.Atoi(f[2])
	return holder{host: f[1], pid: pid, token: f[3]}, err == nil
}

// gone reports whether the holder's process is known to be dead: it ran on
// this host and no process has its pid.
func (h holder) gone(self holder) bool {
	if h.host != self.host || h.pid <= 0 {
		return false
	}
	if h.pid == self.pid {
		return false
	}
	err := syscall.Kill(h.pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// lease is a lock on one firm's loads of one kind, held by one load in any
// process that reaches the store: a table whose creation only one load wins.
type lease struct {
	s     *Store
	table string
	stop  chan struct{}
	done  chan struct{}
}

// leaseTable names the lease table of a firm and kind.
func leaseTable(firm string, kind Kind) string {
	sum := sha256.Sum256([]byte(firm))
	return "_lease_" + string(kind) + "_" + hex.EncodeToString(sum[:8])
}

// acquireLease waits until this load holds the firm's lease for the kind,
// taking over a lease whose holder died.
func (s *Store) acquireLease(ctx context.Context, firm string, kind Kind, self holder) (*lease, error) {
	wait := leasePoll
	for {
		l, err := s.tryLease(ctx, firm, kind, self)
		if l != nil || err != nil {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for another load of firm %s %s to finish: %w", firm, kind, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, leasePollMax)
	}
}

// tryLease takes the firm's lease for the kind if it is free or its holder
// died; it returns nil, and no error, when a live holder has it.
func (s *Store) tryLease(ctx context.Context, firm string, kind Kind, self holder) (*lease, error) {
	table := leaseTable(firm, kind)
	err := s.conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY at COMMENT %s",
		chdb.QuoteIdent(table), chdb.QuoteString(self.comment())))
	if err == nil {
		l := &lease{s: s, table: table, stop: make(chan struct{}), done: make(chan struct{})}
		go l.beat(self)
		return l, nil
	}
	if !isCode(err, 57) { // TABLE_ALREADY_EXISTS: someone holds it
		return nil, fmt.Errorf("take the load lease of firm %s: %w", firm, err)
	}
	return nil, s.breakStaleLease(ctx, table, self)
}

// breakStaleLease removes a lease whose holder is gone or has not stamped it
// for leaseStale. It renames the table first, so of two loads that judge the
// same lease dead only one removes it, and it puts back a lease that turns out
// to be another, live one.
func (s *Store) breakStaleLease(ctx context.Context, table string, self holder) error {
	h, age, ok, err := s.leaseState(ctx, table)
	if err != nil || !ok {
		return err
	}
	if !h.gone(self) && age < leaseStale {
		return nil
	}
	dead := "_lease_dead_" + strings.ToLower(rand.Text()[:16])
	if err := s.conn.Exec(ctx, "RENAME TABLE "+chdb.QuoteIdent(table)+" TO "+chdb.QuoteIdent(dead)); err != nil {
		return nil // another load moved it first
	}
	got, _, ok, err := s.leaseState(ctx, dead)
	if err == nil && ok && got.token != h.token {
		_ = s.conn.Exec(ctx, "RENAME TABLE "+chdb.QuoteIdent(dead)+" TO "+chdb.QuoteIdent(table))
		return nil
	}
	s.log.WarnContext(ctx, "took over the lease of a dead load", "lease", table, "host", h.host, "pid", h.pid)
	return s.dropTable(ctx, dead)
}

// leaseState reads a lease table's holder and the time since its last stamp;
// ok is false when the table is gone.
func (s *Store) leaseState(ctx context.Context, table string) (holder, time.Duration, bool, error) {
	var comment string
	var since int64
	err := s.conn.QueryRow(ctx, "SELECT comment, dateDiff('millisecond', metadata_modification_time, now64(3)) FROM system.tables "+
		"WHERE database = currentDatabase() AND name = {t:String}", clickhouse.Named("t", table)).Scan(&comment, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return holder{}, 0, false, nil
	}
	if err != nil {
		return holder{}, 0, false, fmt.Errorf("read lease %s: %w", table, err)
	}
	var last int64
	err = s.conn.QueryRow(ctx, "SELECT if(count() = 0, -1, dateDiff('millisecond', max(at), now64(3))) FROM "+chdb.QuoteIdent(table)).Scan(&last)
	if err != nil {
		if isCode(err, 60) { // UNKNOWN_TABLE: released meanwhile
			return holder{}, 0, false, nil
		}
		return holder{}, 0, false, fmt.Errorf("read lease %s: %w", table, err)
	}
	if last >= 0 {
		since = min(since, last)
	}
	h, _ := parseHolder(comment)
	return h, time.Duration(since) * time.Millisecond, true, nil
}

// beat stamps the lease until it is released.
func (l *lease) beat(self holder) {
	defer close(l.done)
	t := time.NewTicker(leaseBeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), leaseBeat)
			if err := l.s.conn.Exec(ctx, "INSERT INTO "+chdb.QuoteIdent(l.table)+" VALUES (now64(3))"); err != nil {
				l.s.log.Warn("stamp load lease", "lease", l.table, "holder", self.token, "err", err)
			}
			cancel()
		}
	}
}

// release stops the stamps and drops the lease table.
func (l *lease) release(ctx context.Context) error {
	close(l.stop)
	<-l.done
	return l.s.dropTable(ctx, l.table)
}

// dropTable drops a table at once, releasing its disk space.
func (s *Store) dropTable(ctx context.Context, table string) error {
	if err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+chdb.QuoteIdent(table)+" SYNC"); err != nil {
		return fmt.Errorf("drop table %s: %w", table, err)
	}
	return nil
}

// isCode reports whether err is a ClickHouse exception with the given code.
func isCode(err error, code int32) bool {
	if ex, ok := errors.AsType[*clickhouse.Exception](err); ok {
		return ex.Code == code
	}
	return strings.Contains(err.Error(), "Code: "+strconv.Itoa(int(code))+".")
}
