package queries

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// Kind names what a load writes.
type Kind string

// The kinds of rows a firm loads.
const (
	KindReps       Kind = "reps"
	KindQuotas     Kind = "quotas"
	KindStages     Kind = "stages"
	KindActivities Kind = "activities"
	KindDeals      Kind = "deals"
)

// Kinds lists every kind in load order (reps first, so warnings about unknown reps are rare).
func Kinds() []Kind {
	return []Kind{KindReps, KindQuotas, KindStages, KindActivities, KindDeals}
}

// ParseKind checks a kind name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q (want reps, quotas, stages, activities or deals)", s)
}

// defaultBatchRows is how many rows a load buffers before sending them to staging.
const defaultBatchRows = 100_000

// LoadResult counts what a committed load did.
type LoadResult struct {
	// Staged is the number of rows sent.
	Staged int64
	// Loaded is the number of rows that were new and are now stored.
	Loaded int64
	// Duplicates is the number of rows already stored, or repeated in the load.
	Duplicates int64
	// Inferred is the number of inferred deal versions stored (see salesrecipe.UnknownStage), beyond Loaded.
	Inferred int64
	// NoCreated is the number of deals with a version without created_at, whose first known time was used.
	NoCreated int64
	// Superseded is the number of deals whose inferred versions recorded ones replaced.
	Superseded int64
}

// Load writes rows of one kind for one firm into a private staging table;
// nothing is visible until Commit moves the new rows into place, and Abort
// (or a failed Commit's retry) leaves no trace.
type Load struct {
	s        *Store
	kind     Kind
	firm     string
	table    string
	loadedAt time.Time
	buf      columns    // rows being added
	out      columns    // rows handed to a send: in flight, or kept after a failed one
	done     chan error // the send in flight; nil when none
	queued   int64      // rows handed to sends: the seq of the next one
	at       uint64     // the position the next added row came from
	rep      repeatSet  // the buckets of identities staged more than once
}

// At sets where the rows added next come from (an input and line, as the
// caller encodes them); a Conflict names rows by it.
func (l *Load) At(pos uint64) { l.at = pos }

// BeginLoad creates the staging table of a new load.
func (s *Store) BeginLoad(ctx context.Context, kind Kind, firm string) (*Load, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	l := &Load{s: s, kind: kind, firm: firm, table: "_load_" + string(kind) + "_" + rand.Text(),
		loadedAt: s.now().UTC(), buf: newColumns(kind), out: newColumns(kind), rep: repeatSet{at: -1}}
	if err := s.dropOrphans(ctx); err != nil {
		return nil, err
	}
	ddl := fmt.Sprintf("CREATE TABLE %s (%s) ENGINE = %s COMMENT %s", chdb.QuoteIdent(l.table), stagingColumns[kind],
		stagingEngines[kind], chdb.QuoteString(s.self.comment()))
	if err := s.conn.Exec(ctx, ddl); err != nil {
		return nil, fmt.Errorf("create staging table for %s: %w", kind, err)
	}
	// Merging the staging parts in the background would compete with the load
	// for the same cores, and the commit's FINAL merges them as it reads. A
	// server user without the SYSTEM MERGES grant loads just as well with merges.
	if err := s.conn.Exec(ctx, "SYSTEM STOP MERGES "+chdb.QuoteIdent(l.table)); err != nil {
		s.log.DebugContext(ctx, "staging table merges left on", "table", l.table, "err", err)
	}
	return l, nil
}

// Staged returns how many rows were appended so far.
func (l *Load) Staged() int64 { return l.queued + int64(l.buf.rows()) }

// Full reports whether the buffer holds enough rows to Send.
func (l *Load) Full() bool { return l.buf.rows() >= l.s.batch }

// Send hands the buffered rows to a background send and returns without
// waiting for it, so the caller reads the next rows while the engine stores
// these. It first waits for the previous send: when that one failed, Send
// returns its error and keeps its rows, and the next Send or Flush sends
// them again before anything newer, so calling it again retries.
func (l *Load) Send(ctx context.Context) error {
	if err := l.wait(); err != nil {
		return err
	}
	if l.out.rows() > 0 { // the rows of a failed send go again, before anything newer
		if err := l.send(ctx, &l.out, l.queued-int64(l.out.rows())); err != nil {
			return err
		}
		l.out.reset()
	}
	if l.buf.rows() == 0 {
		return nil
	}
	l.buf, l.out = l.out, l.buf
	first := l.queued
	l.queued += int64(l.out.rows())
	done, out := make(chan error, 1), &l.out
	l.done = done
	go func() { done <- l.send(ctx, out, first) }()
	return nil
}

// Flush sends every buffered row to the staging table and waits until it
// has them; after an error the rows are kept, so calling Flush again retries.
func (l *Load) Flush(ctx context.Context) error {
	if err := l.Send(ctx); err != nil {
		return err
	}
	return l.wait()
}

// wait waits for the send in flight, if any; a failed send's rows stay in out.
func (l *Load) wait() error {
	if l.done == nil {
		return nil
	}
	err := <-l.done
	l.done = nil
	if err == nil {
		l.out.reset()
	}
	return err
}

// send inserts one buffer of rows into the staging table, column by column.
func (l *Load) send(ctx context.Context, c *columns, first int64) error {
	// Without optimize_on_insert the staging table keeps repeats of a key
	// within one batch, so a commit sees rows that conflict.
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"optimize_on_insert": 0}))
	batch, err := l.s.conn.PrepareBatch(ctx, "INSERT INTO "+chdb.QuoteIdent(l.table)+" ("+stagingNames[l.kind]+")")
	if err != nil {
		return fmt.Errorf("stage %s: %w", l.kind, err)
	}
	if err := c.appendTo(batch, first); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("stage %s: %w", l.kind, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("stage %s: %w", l.kind, err)
	}
	return nil
}

// Commit moves the staged rows into the kind's table and drops the staging
// table; readers see the stored rows before or after it, never in between.
// Running the same load again stores nothing twice. Rows of the load that
// share an identity but differ are a *ConflictError, and nothing is stored.
func (l *Load) Commit(ctx context.Context) (LoadResult, error) {
	if err := l.Flush(ctx); err != nil {
		return LoadResult{}, err
	}
	l.release()
	res := LoadResult{Staged: l.queued}
	t0 := time.Now()
	if err := l.checkConflicts(ctx); err != nil {
		return res, err
	}
	l.s.log.DebugContext(ctx, "commit: checked conflicts", "kind", l.kind, "seconds", time.Since(t0).Seconds())
	ls, err := l.s.acquireLease(ctx, l.firm, l.kind, l.s.self)
	if err != nil {
		return res, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := ls.release(rctx); err != nil {
			l.s.log.WarnContext(ctx, "release load lease", "err", err)
		}
	}()
	if l.kind == KindActivities {
		loaded, err := l.commitActivities(ctx)
		if err != nil {
			return res, err
		}
		res.Loaded = loaded
	} else {
		if err := l.commitRows(ctx); err != nil {
			return res, err
		}
		if err := l.countLoaded(ctx, &res); err != nil {
			return res, err
		}
	}
	res.Duplicates = res.Staged - res.Loaded
	return res, l.Abort(ctx)
}

// countLoaded counts the rows the commit stored and, for deals, the versions it inferred, the deals it gave their
// first known time and the deals whose inferred versions it replaced.
func (l *Load) countLoaded(ctx context.Context, res *LoadResult) error {
	if l.kind != KindDeals {
		var loaded uint64
		if err := l.s.conn.QueryRow(ctx, l.s.sql(string(l.kind)+"_loaded"), l.params(nil)...).Scan(&loaded); err != nil {
			return fmt.Errorf("count stored %s: %w", l.kind, err)
		}
		res.Loaded = int64(loaded)
		return nil
	}
	var loaded, inferred, noCreated uint64
	if err := l.s.conn.QueryRow(ctx, l.s.sql("deals_loaded"), l.params(nil)...).Scan(&loaded, &inferred); err != nil {
		return fmt.Errorf("count stored deals: %w", err)
	}
	if err := l.s.conn.QueryRow(ctx, l.s.sql("deals_no_created"), l.params(nil)...).Scan(&noCreated); err != nil {
		return fmt.Errorf("count deals without created_at: %w", err)
	}
	res.Loaded, res.Inferred, res.NoCreated = int64(loaded), int64(inferred), int64(noCreated)
	n, err := l.supersede(ctx)
	res.Superseded = n
	return err
}

// part is one step of a commit: a statement and, for activities, the month it moves.
type part struct {
	stmt  string
	month *uint32
}

// release drops the row buffers once the engine has every staged row and, after
// a load of more than one batch, hands their pages back to the system at once:
// the commit is when the engine needs memory, and peak RSS is the sum of both.
func (l *Load) release() {
	l.buf, l.out = newColumns(l.kind), newColumns(l.kind)
	if l.queued > int64(l.s.batch) {
		debug.FreeOSMemory()
	}
}

// commitWorkers is how many activity months build at once: one
// INSERT ... SELECT keeps about one core busy.
const commitWorkers = 2

// commitPart moves the new rows of one part into place.
func (l *Load) commitPart(ctx context.Context, p part) error {
	if err := l.s.conn.Exec(ctx, l.s.sql(p.stmt), l.params(p.month)...); err != nil {
		return fmt.Errorf("store %s (re-running the load is safe): %w", l.kind, err)
	}
	return nil
}

// commitRows inserts the new rows of a kind other than activities as one
// commit: one insert into a table without partitions writes one part, which
// readers see whole, and the journal and the firm's gate order it with reads
// that read the table more than once.
func (l *Load) commitRows(ctx context.Context) error {
	if err := l.s.finishOpenSwaps(ctx, l.firm, l.kind); err != nil {
		return err
	}
	ws := swapSet{token: newToken()}
	err := l.s.commit(ctx, l.firm, l.kind, ws, nil, func(ctx context.Context) error {
		return l.commitPart(ctx, part{stmt: string(l.kind) + "_commit"})
	})
	if err != nil {
		// The insert happened whole or not at all, so the commit is over either
		// way: close it, if its start was journalled, for readers to go on.
		if cerr := l.s.finishOpenSwaps(context.WithoutCancel(ctx), l.firm, l.kind); cerr != nil {
			l.s.log.WarnContext(ctx, "close a failed commit (the next load or a reader closes it)", "kind", l.kind, "err", cerr)
		}
	}
	return err
}

// params binds the firm, the load's stamp, its staging table and, for a part, the month.
func (l *Load) params(month *uint32) []any {
	args := []any{
		clickhouse.Named("firm", l.firm),
		clickhouse.Named("stage", l.table),
		clickhouse.Named("loaded_at", l.loadedAt.Format("2006-01-02 15:04:05.000000")),
	}
	if month != nil {
		args = append(args, clickhouse.Named("month", strconv.FormatUint(uint64(*month), 10)))
	}
	return args
}

// Abort drops the staging table; nothing of the load remains.
func (l *Load) Abort(ctx context.Context) error {
	_ = l.wait() // the rows of a send in flight go with the table
	if l.table == "" {
		return nil
	}
	if err := l.s.dropTable(ctx, l.table); err != nil {
		return err
	}
	l.table = ""
	return nil
}

// UnknownReps counts the staged rows, and distinct reps, whose rep_id no
// loaded reps file names (reps may arrive later, so this is a warning).
func (l *Load) UnknownReps(ctx context.Context) (rows, reps uint64, err error) {
	if l.kind != KindActivities && l.kind != KindDeals && l.kind != KindQuotas {
		return 0, 0, nil
	}
	if err := l.Flush(ctx); err != nil {
		return 0, 0, err
	}
	stmt := "unknown_reps"
	if _, ok := repeatStmts[l.kind]; ok { // a load that stages each identity once needs no FINAL
		_, repeated, err := l.repeats(ctx)
		if err != nil {
			return 0, 0, err
		}
		if len(repeated) == 0 {
			stmt = "unknown_reps_once"
		}
	}
	err = l.s.conn.QueryRow(ctx, l.s.sql(stmt), l.params(nil)...).Scan(&rows, &reps)
	if err != nil {
		return 0, 0, fmt.Errorf("check reps of staged %s: %w", l.kind, err)
	}
	return rows, reps, nil
}
