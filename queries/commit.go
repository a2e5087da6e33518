package queries

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// Conflict is one identity a load stages twice with different content.
type Conflict struct {
	// Key is the identity, such as the activity_id.
	Key string
	// First and Second are the positions (Load.At) of two rows that differ.
	First, Second uint64
}

// ConflictError lists the identities a load stages twice with different content.
type ConflictError struct {
	// Kind is what the load writes.
	Kind Kind
	// Conflicts are the first identities found, at most maxConflicts.
	Conflicts []Conflict
}

// Error says how many identities conflict.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d %s %s appear twice in the load with different content (at least)", len(e.Conflicts),
		e.Kind, map[bool]string{true: "identity", false: "identities"}[len(e.Conflicts) == 1])
}

// maxConflicts bounds the conflicts a load reports.
const maxConflicts = 100

// conflictBucketRows is about how many staged rows one pass of the check for
// repeated identities counts, which bounds its hash set (the 10 M-row bench
// load peaked at 568 MB RSS with 1,000,000 against 657-670 MB with 2,000,000).
const conflictBucketRows = 1_000_000

// identityKinds are the kinds whose rows within one load must agree per identity.
var identityKinds = map[Kind]bool{KindActivities: true, KindDeals: true, KindReps: true}

// checkConflicts returns a *ConflictError when the load stages one identity twice with different content.
func (l *Load) checkConflicts(ctx context.Context) error {
	if !identityKinds[l.kind] {
		return nil
	}
	buckets, repeated, err := l.repeats(ctx)
	if err != nil {
		return err
	}
	var cs []Conflict
	for _, b := range repeated {
		err := l.s.scanAll(ctx, string(l.kind)+"_conflicts", func(r driver.Rows) error {
			var c Conflict
			err := r.Scan(&c.Key, &c.First, &c.Second)
			if c.First > c.Second {
				c.First, c.Second = c.Second, c.First
			}
			cs = append(cs, c)
			return err
		}, clickhouse.Named("stage", l.table), clickhouse.Named("limit", strconv.Itoa(maxConflicts)),
			clickhouse.Named("buckets", strconv.FormatInt(buckets, 10)), clickhouse.Named("bucket", strconv.FormatInt(b, 10)))
		if err != nil {
			return err
		}
	}
	slices.SortFunc(cs, func(a, b Conflict) int { return cmp.Compare(a.First, b.First) })
	cs = cs[:min(len(cs), maxConflicts)]
	if len(cs) > 0 {
		return &ConflictError{Kind: l.kind, Conflicts: cs}
	}
	return nil
}

// repeatStmts count, per kind, the staged rows of a bucket that repeat an identity.
var repeatStmts = map[Kind]string{KindActivities: "activities_repeats", KindDeals: "deals_repeats"}

// repeatSet is what a load knows of its repeated identities.
type repeatSet struct {
	at       int64   // Load.queued when found; -1 before
	buckets  int64   // how many buckets the identities were split into
	repeated []int64 // the buckets that stage an identity more than once
}

// repeats returns the buckets of the load's identities that stage one more
// than once (every bucket for a kind without a count of repeats): usually
// none, and only those need their contents compared. It is found once per
// set of staged rows; leaving rows out (Exclude) keeps it a superset.
func (l *Load) repeats(ctx context.Context) (buckets int64, repeated []int64, err error) {
	if l.rep.at == l.queued {
		return l.rep.buckets, l.rep.repeated, nil
	}
	t0 := time.Now()
	buckets = max(1, l.queued/conflictBucketRows)
	stmt, ok := repeatStmts[l.kind]
	for b := range buckets {
		var n int64
		if ok {
			err := l.s.conn.QueryRow(ctx, l.s.sql(stmt), clickhouse.Named("stage", l.table),
				clickhouse.Named("buckets", strconv.FormatInt(buckets, 10)), clickhouse.Named("bucket", strconv.FormatInt(b, 10))).Scan(&n)
			if err != nil {
				return 0, nil, fmt.Errorf("look for %s staged twice: %w", l.kind, err)
			}
		}
		if !ok || n > 0 {
			repeated = append(repeated, b)
		}
	}
	l.rep = repeatSet{at: l.queued, buckets: buckets, repeated: repeated}
	l.s.log.DebugContext(ctx, "load: counted repeated identities", "kind", l.kind, "buckets", buckets,
		"repeated", len(repeated), "seconds", time.Since(t0).Seconds())
	return buckets, repeated, nil
}

// Exclude drops every staged row of the given identities (activity ids, rep
// ids, or deal ids with their versions), so a load that skips invalid rows
// stores the rest.
func (l *Load) Exclude(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := l.Flush(ctx); err != nil {
		return err
	}
	cond := map[Kind]string{
		KindActivities: "activity_id IN {keys:Array(String)}",
		KindReps:       "rep_id IN {keys:Array(String)}",
		KindDeals:      "has({keys:Array(String)}, concat(deal_id, ' at ', toString(updated_at)))",
	}[l.kind]
	if cond == "" {
		return fmt.Errorf("exclude %s: only activities, deals and reps have identities", l.kind)
	}
	// A mutation runs in the merge pool, which BeginLoad stopped for this table.
	if err := l.s.conn.Exec(ctx, "SYSTEM START MERGES "+chdb.QuoteIdent(l.table)); err != nil {
		l.s.log.DebugContext(ctx, "staging table merges left off", "table", l.table, "err", err)
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2}))
	err := l.s.conn.Exec(ctx, "ALTER TABLE "+chdb.QuoteIdent(l.table)+" DELETE WHERE "+cond,
		clickhouse.Named("keys", arrayParam(keys)))
	if err != nil {
		return fmt.Errorf("leave conflicting %s out: %w", l.kind, err)
	}
	return nil
}

// arrayParam renders strings as a ClickHouse array literal for a bound parameter.
func arrayParam(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = chdb.QuoteString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// monthsParam renders months as a bound Array(UInt32).
func monthsParam(ms []uint32) string {
	q := make([]string, len(ms))
	for i, m := range ms {
		q[i] = strconv.FormatUint(uint64(m), 10)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// swapSet names the tables that hold a load's new partitions.
type swapSet struct {
	token string
	rows  string // new (firm, month) partitions of activities
	daily string // their rollup
	ids   string // stored ids the load replaces, with their month
}

// newSwapSet names the tables of one activities commit.
func newSwapSet() swapSet {
	t := newToken()
	return swapSet{token: t, rows: "_new_" + t + "_rows", daily: "_new_" + t + "_daily", ids: "_new_" + t + "_ids"}
}

// commitActivities rewrites every (firm, month) partition the load touches:
// it builds each partition's new content and its rollup beside the tables,
// then swaps them in, journalled, so a load killed while swapping is finished
// by the next one. It returns how many rows are new or changed.
func (l *Load) commitActivities(ctx context.Context) (int64, error) {
	if err := l.s.finishOpenSwaps(ctx, l.firm, KindActivities); err != nil {
		return 0, err
	}
	t0 := time.Now()
	ws := newSwapSet()
	swapping := false
	defer func() {
		l.s.dropTables(ctx, ws.ids)
		if !swapping { // a swap that began and failed is finished from these by the next load
			l.s.dropTables(ctx, ws.rows, ws.daily)
		}
	}()
	if err := l.s.createLike(ctx, ws); err != nil {
		return 0, err
	}
	args := append(l.params(nil), clickhouse.Named("ids", ws.ids), clickhouse.Named("rows", ws.rows), clickhouse.Named("daily", ws.daily))
	var stored0 uint64
	if err := l.s.conn.QueryRow(ctx, "SELECT count() FROM activities WHERE firm = {firm:String}", args...).Scan(&stored0); err != nil {
		return 0, fmt.Errorf("count stored activities: %w", err)
	}
	if stored0 > 0 { // a firm with none stored has nothing to replace
		if err := l.findReplaced(ctx, args); err != nil {
			return 0, err
		}
	}
	l.s.log.DebugContext(ctx, "commit: found replaced activities", "stored", stored0, "seconds", time.Since(t0).Seconds())
	months, stored, err := l.months(ctx, args)
	if err != nil {
		return 0, err
	}
	build := "activities_build"
	if stored0 == 0 {
		build = "activities_build_new"
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(commitWorkers)
	for _, m := range months {
		g.Go(func() error {
			margs := append(slices.Clip(args), clickhouse.Named("month", strconv.FormatUint(uint64(m), 10)))
			if err := l.s.conn.Exec(gctx, l.s.sql(build), margs...); err != nil {
				return fmt.Errorf("build activities of %d: %w", m, err)
			}
			if err := l.s.conn.Exec(gctx, l.s.sql("activities_build_daily"), margs...); err != nil {
				return fmt.Errorf("build the daily rollup of %d: %w", m, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	l.s.log.DebugContext(ctx, "commit: built partitions and their rollup", "months", len(months), "seconds", time.Since(t0).Seconds())
	loaded, err := l.newRows(ctx, ws, stored, args)
	if err != nil {
		return 0, err
	}
	l.s.log.DebugContext(ctx, "commit: counted new rows", "seconds", time.Since(t0).Seconds())
	swapping = true
	if err := l.s.swap(ctx, l.firm, ws, months, "swap"); err != nil {
		return 0, err
	}
	swapping = false
	l.s.log.DebugContext(ctx, "commit: swapped", "seconds", time.Since(t0).Seconds())
	return loaded, nil
}

// touchedBucketRows is about how many staged ids one pass of the search for
// the stored rows a load replaces holds in its set.
const touchedBucketRows = 2_000_000

// findReplaced writes the ids and months of the stored rows the load
// replaces into the commit's ids table, one bucket of ids at a time.
func (l *Load) findReplaced(ctx context.Context, args []any) error {
	buckets := max(1, l.queued/touchedBucketRows)
	for b := range buckets {
		bargs := append(slices.Clip(args), clickhouse.Named("buckets", strconv.FormatInt(buckets, 10)),
			clickhouse.Named("bucket", strconv.FormatInt(b, 10)))
		if err := l.s.conn.Exec(ctx, l.s.sql("activities_touched"), bargs...); err != nil {
			return fmt.Errorf("find stored activities the load replaces: %w", err)
		}
	}
	return nil
}

// months returns the months the load rewrites and how many rows the firm has stored in them.
func (l *Load) months(ctx context.Context, args []any) ([]uint32, uint64, error) {
	var months []uint32
	var stored uint64
	err := l.s.scanAll(ctx, "activities_months", func(r driver.Rows) error {
		var m uint32
		var n uint64
		err := r.Scan(&m, &n)
		months = append(months, m)
		stored += n
		return err
	}, args...)
	return months, stored, err
}

// newRows counts the load's rows that were not stored as they are: the rows
// built, less the stored rows kept, less the stored rows replaced by the same.
func (l *Load) newRows(ctx context.Context, ws swapSet, stored uint64, args []any) (int64, error) {
	var built, replaced, same uint64
	if err := l.s.conn.QueryRow(ctx, "SELECT count() FROM "+chdb.QuoteIdent(ws.rows)).Scan(&built); err != nil {
		return 0, fmt.Errorf("count built activities: %w", err)
	}
	if err := l.s.conn.QueryRow(ctx, "SELECT count() FROM "+chdb.QuoteIdent(ws.ids)).Scan(&replaced); err != nil {
		return 0, fmt.Errorf("count replaced activities: %w", err)
	}
	if replaced > 0 {
		if err := l.s.conn.QueryRow(ctx, l.s.sql("activities_unchanged"), args...).Scan(&same); err != nil {
			return 0, fmt.Errorf("count unchanged activities: %w", err)
		}
	}
	return int64(built) - (int64(stored) - int64(replaced)) - int64(same), nil
}

// newToken names one commit.
func newToken() string { return strings.ToLower(rand.Text()[:16]) }

// createLike creates the tables a commit builds its partitions in.
func (s *Store) createLike(ctx context.Context, ws swapSet) error {
	c := " COMMENT " + chdb.QuoteString(s.self.comment())
	stmts := []string{
		"CREATE TABLE " + chdb.QuoteIdent(ws.rows) + " AS activities" + c,
		"CREATE TABLE " + chdb.QuoteIdent(ws.daily) + " AS activity_daily" + c,
		"CREATE TABLE " + chdb.QuoteIdent(ws.ids) + " (activity_id String, month UInt32) ENGINE = MergeTree ORDER BY (month, activity_id)" + c,
	}
	for _, st := range stmts {
		if err := s.conn.Exec(ctx, st); err != nil {
			return fmt.Errorf("create a table for the new partitions: %w", err)
		}
	}
	return nil
}

// swap replaces each month's partitions of activities and their rollup with
// the built ones, as one commit: journalled (its first row says phase), and
// under the firm's gate.
func (s *Store) swap(ctx context.Context, firm string, ws swapSet, months []uint32, phase string) error {
	return s.commitPhase(ctx, firm, KindActivities, ws, months, phase, func(ctx context.Context) error {
		sctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_replace_partition_from_empty_source": 1}))
		for _, m := range months {
			part := "(" + chdb.QuoteString(firm) + ", " + strconv.FormatUint(uint64(m), 10) + ")"
			for _, t := range [][2]string{{"activities", ws.rows}, {"activity_daily", ws.daily}} {
				err := s.conn.Exec(sctx, "ALTER TABLE "+t[0]+" REPLACE PARTITION "+part+" FROM "+chdb.QuoteIdent(t[1]))
				if err != nil {
					return fmt.Errorf("swap in %s of %d (the next load of the firm, or a reader, finishes it): %w", t[0], m, err)
				}
			}
			if s.swapped != nil {
				s.swapped(firm, m)
			}
		}
		return nil
	})
}

// journal records a step of a commit.
func (s *Store) journal(ctx context.Context, firm string, kind Kind, ws swapSet, months []uint32, phase string) error {
	err := s.conn.Exec(ctx, s.sql("journal_mark"), clickhouse.Named("firm", firm), clickhouse.Named("kind", string(kind)),
		clickhouse.Named("token", ws.token), clickhouse.Named("phase", phase), clickhouse.Named("months", monthsParam(months)),
		clickhouse.Named("rows", ws.rows), clickhouse.Named("daily", ws.daily))
	if err != nil {
		return fmt.Errorf("journal the %s of a load: %w", phase, err)
	}
	return nil
}

// finishOpenSwaps completes the commits of the firm's loads of a kind that
// died while committing. An activities swap is done again from its built
// partitions, or, when those are gone, by rebuilding the rollup of its months
// from the stored rows; another kind's commit is one insert, which happened
// whole or not at all, so it is only marked done. The caller holds the
// firm's lease of the kind.
func (s *Store) finishOpenSwaps(ctx context.Context, firm string, kind Kind) error {
	type open struct {
		ws     swapSet
		months []uint32
	}
	var opens []open
	err := s.scanAll(ctx, "journal_open", func(r driver.Rows) error {
		var o open
		err := r.Scan(&o.ws.token, &o.months, &o.ws.rows, &o.ws.daily)
		opens = append(opens, o)
		return err
	}, clickhouse.Named("firm", firm), clickhouse.Named("kind", string(kind)))
	if err != nil {
		return err
	}
	for _, o := range opens {
		s.log.WarnContext(ctx, "finishing the commit of a load that died", "firm", firm, "kind", kind, "token", o.ws.token, "months", o.months)
		if kind != KindActivities {
			err = s.closeCommit(ctx, firm, kind, o.ws)
		} else {
			err = s.finishSwap(ctx, firm, o.ws, o.months)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// closeCommit marks a commit done under the firm's gate.
func (s *Store) closeCommit(ctx context.Context, firm string, kind Kind, ws swapSet) error {
	g := s.gates.of(firm)
	g.rw.Lock()
	defer g.rw.Unlock()
	return s.journal(ctx, firm, kind, ws, nil, "done")
}

// finishSwap redoes one dead load's swap.
func (s *Store) finishSwap(ctx context.Context, firm string, ws swapSet, months []uint32) error {
	var tables uint64
	err := s.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name IN ({a:String}, {b:String})",
		clickhouse.Named("a", ws.rows), clickhouse.Named("b", ws.daily)).Scan(&tables)
	if err != nil {
		return fmt.Errorf("look for a dead load's partitions: %w", err)
	}
	if tables == 2 {
		err = s.swap(ctx, firm, ws, months, "redo")
	} else {
		err = s.rebuildDaily(ctx, firm, ws, months)
	}
	if err != nil {
		return err
	}
	s.dropTables(ctx, ws.rows, ws.daily)
	return nil
}

// rebuildDaily rebuilds the rollup of a firm's months from the stored rows and swaps it in.
func (s *Store) rebuildDaily(ctx context.Context, firm string, ws swapSet, months []uint32) error {
	fresh := newSwapSet()
	fresh.token = ws.token
	defer s.dropTables(ctx, fresh.rows, fresh.daily, fresh.ids)
	if err := s.createLike(ctx, fresh); err != nil {
		return err
	}
	err := s.conn.Exec(ctx, s.sql("activity_daily_rebuild"), clickhouse.Named("firm", firm),
		clickhouse.Named("daily", fresh.daily), clickhouse.Named("months", monthsParam(months)))
	if err != nil {
		return fmt.Errorf("rebuild the daily rollup: %w", err)
	}
	ws.daily = fresh.daily
	return s.commitPhase(ctx, firm, KindActivities, ws, months, "redo", func(ctx context.Context) error {
		sctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_replace_partition_from_empty_source": 1}))
		for _, m := range months {
			part := "(" + chdb.QuoteString(firm) + ", " + strconv.FormatUint(uint64(m), 10) + ")"
			if err := s.conn.Exec(sctx, "ALTER TABLE activity_daily REPLACE PARTITION "+part+" FROM "+chdb.QuoteIdent(fresh.daily)); err != nil {
				return fmt.Errorf("swap in the rebuilt rollup of %d: %w", m, err)
			}
		}
		return nil
	})
}

// dropTables drops tables a commit made, logging what it cannot drop (the
// next load drops it as an orphan).
func (s *Store) dropTables(ctx context.Context, tables ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, t := range tables {
		if err := s.dropTable(ctx, t); err != nil {
			s.log.WarnContext(ctx, "drop a load's table", "table", t, "err", err)
		}
	}
}

// orphanAge is how old a load's table from another host must be before a
// load drops it (on this host, a table whose process is gone goes at once).
const orphanAge = 24 * time.Hour

// dropOrphans drops the tables of loads that died: staging tables and built
// partitions no unfinished swap needs, and leases taken over.
func (s *Store) dropOrphans(ctx context.Context) error {
	var names []string
	err := s.scanAll(ctx, "orphan_tables", func(r driver.Rows) error {
		var name, comment string
		var age int64
		if err := r.Scan(&name, &comment, &age); err != nil {
			return err
		}
		h, ok := parseHolder(comment)
		old := time.Duration(age) * time.Second
		if (ok && h.gone(s.self)) || old > orphanAge || (strings.HasPrefix(name, "_lease_dead_") && old > leaseStale) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("look for tables of dead loads: %w", err)
	}
	for _, n := range names {
		s.log.InfoContext(ctx, "dropping a table of a dead load", "table", n)
		if err := s.dropTable(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// Recover finishes the commits of loads that died while committing, so
// readers see each load whole, and drops the tables dead loads left behind.
// Opening a store for work calls it; every load also does it for its own
// firm and kind, and a reader does it for the firm it waits for.
func (s *Store) Recover(ctx context.Context) error {
	type open struct {
		firm string
		kind Kind
	}
	var opens []open
	err := s.scanAll(ctx, "journal_open_firms", func(r driver.Rows) error {
		var o open
		var kind string
		err := r.Scan(&o.firm, &kind)
		o.kind = Kind(kind)
		opens = append(opens, o)
		return err
	})
	if err != nil {
		return err
	}
	for _, o := range opens {
		if err := s.recoverFirm(ctx, o.firm, o.kind, true); err != nil {
			return err
		}
	}
	return s.dropOrphans(ctx)
}

// recoverFirm finishes one firm's open commits of a kind under its lease,
// waiting for the lease, or, without wait, only when it can be had at once
// (a live holder is a load, which finishes them first).
func (s *Store) recoverFirm(ctx context.Context, firm string, kind Kind, wait bool) (err error) {
	var ls *lease
	if wait {
		ls, err = s.acquireLease(ctx, firm, kind, s.self)
	} else {
		ls, err = s.tryLease(ctx, firm, kind, s.self)
	}
	if ls == nil || err != nil {
		return err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err = errors.Join(err, ls.release(rctx))
	}()
	return s.finishOpenSwaps(ctx, firm, kind)
}

// supersedeChunk bounds the deal ids of one delete of inferred versions.
const supersedeChunk = 10_000

// supersede deletes the inferred versions of the load's deals that a recorded version now replaces (see
// deals_superseded.sql) and returns how many deals had them. Until the delete finishes a reader may see both
// versions of one time; a load killed before it leaves them both, and the same load run again deletes the
// inferred one.
func (l *Load) supersede(ctx context.Context) (int64, error) {
	var ids []string
	err := l.s.scanAll(ctx, "deals_superseded", func(r driver.Rows) error {
		var id string
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}, l.params(nil)...)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2}))
	stmt := "ALTER TABLE " + l.s.schema.local("deal_versions") + " " + l.s.schema.onCluster() +
		" DELETE WHERE firm = {firm:String} AND inferred = 1 AND has({keys:Array(String)}, deal_id)"
	for lo := 0; lo < len(ids); lo += supersedeChunk {
		chunk := ids[lo:min(len(ids), lo+supersedeChunk)]
		if err := l.s.conn.Exec(ctx, stmt, clickhouse.Named("firm", l.firm), clickhouse.Named("keys", arrayParam(chunk))); err != nil {
			return 0, fmt.Errorf("delete superseded inferred deal versions: %w", err)
		}
	}
	return int64(len(ids)), nil
}
