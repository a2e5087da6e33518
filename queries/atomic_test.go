package queries_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// Two versions of one firm's activities: the same 105 ids, spread over six
// months so that every month's count differs between them.
var (
	versionA = []uint64{5, 10, 15, 20, 25, 30}
	versionB = []uint64{30, 25, 20, 15, 10, 5}
)

// addVersion stages the 105 activities spread over the months as perMonth says.
func addVersion(perMonth []uint64) func(context.Context, *queries.Load) error {
	return func(_ context.Context, l *queries.Load) error {
		id := 0
		for m, n := range perMonth {
			for i := range n {
				at := time.Date(2026, time.Month(m+1), 1+int(i%27), 9, 0, 0, 0, time.UTC)
				l.AddActivity(salesrecipe.Activity{ID: fmt.Sprintf("a%03d", id), RepID: "r1", Kind: "call", OccurredAt: at})
				id++
			}
		}
		return nil
	}
}

// monthCounts reads firm acme's activities per month of 2026's first half and what status counts.
func monthCounts(ctx context.Context, st *queries.Store) ([]uint64, uint64, error) {
	return querytest.MonthCounts(ctx, st, "acme", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 6)
}

// hammer reads the firm from readers goroutines until loads ends, and fails
// the test on any state that is neither version A nor version B whole. loads
// calls seen after each load: it returns once a reader has seen the version.
func hammer(t *testing.T, st *queries.Store, readers int, loads func(seen func(version []uint64))) {
	t.Helper()
	ctx := context.Background()
	var done atomic.Bool
	var seenA, seenB atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		wg.Go(func() {
			for !done.Load() {
				months, status, err := monthCounts(ctx, st)
				switch {
				case err != nil:
					errs <- err
					return
				case slices.Equal(months, versionA) && status == 105:
					seenA.Add(1)
				case slices.Equal(months, versionB) && status == 105:
					seenB.Add(1)
				default:
					errs <- fmt.Errorf("a reader saw months %v and status %d: part of a load (want %v or %v, and 105)", months, status, versionA, versionB)
					return
				}
			}
		})
	}
	loads(func(v []uint64) {
		n := &seenA
		if slices.Equal(v, versionB) {
			n = &seenB
		}
		seen, end := n.Load(), time.Now().Add(time.Minute)
		for n.Load() == seen && len(errs) == 0 {
			if time.Now().After(end) {
				t.Errorf("no reader saw version %v within a minute of its load", v)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("readers saw version A %d times and version B %d times, nothing else", seenA.Load(), seenB.Load())
}

// reloads loads version B and A in turn, n times, into the firm, each time
// until readers have seen it.
func reloads(t *testing.T, st *queries.Store, n int) func(func([]uint64)) {
	return func(seen func([]uint64)) {
		for i := range n {
			v := versionB
			if i%2 == 1 {
				v = versionA
			}
			if res := commit(t, st, queries.KindActivities, addVersion(v)); res.Loaded != 100 {
				t.Errorf("reload %d: %+v, want 100 moved (a000-a004 keep their day)", i+1, res)
			}
			seen(v)
		}
	}
}

func TestReadersSeeWholeLoadsInProcess(t *testing.T) {
	// A store that opened the engine alone reads under the firm's gate only.
	t.Run("one store, gate", func(t *testing.T) {
		st := engine.Store(t, queries.Config{})
		queries.SetSolo(st)
		commit(t, st, queries.KindActivities, addVersion(versionA))
		hammer(t, st, 3, reloads(t, st, 6))
	})
	// Loads through another store, as another process would make them: the
	// readers' store checks the journal's commit generation.
	t.Run("two stores, journal", func(t *testing.T) {
		st := engine.Store(t, queries.Config{})
		w, err := queries.OnEngine(context.Background(), engine.Get(t), st.Database(), queries.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		commit(t, w, queries.KindActivities, addVersion(versionA))
		hammer(t, st, 3, reloads(t, w, 6))
	})
}

// swapChildEnv makes the test binary a child that reloads version B into the
// store at the DSN in its value and stops for good after the first month's swap.
const swapChildEnv = "SALESRECIPE_TEST_SWAP_CHILD"

// swapChild runs as the child of TestKilledSwapIsSeenWholeAndFinished.
func swapChild(dsn string) int {
	ctx := context.Background()
	st, err := queries.Open(ctx, queries.Config{DSN: dsn})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	queries.OnSwap(st, func(string, uint32) {
		fmt.Println("swapping")
		select {} // the parent kills this process here, between two months
	})
	l, err := st.BeginLoad(ctx, queries.KindActivities, "acme")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	_ = addVersion(versionB)(ctx, l)
	_, err = l.Commit(ctx)
	fmt.Fprintln(os.Stderr, "the commit ended:", err)
	return 5
}

func TestKilledSwapIsSeenWholeAndFinished(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	commit(t, st, queries.KindActivities, addVersion(versionA))
	srv := httptest.NewServer(engine.Get(t).Handler(chdb.HandlerOptions{Password: "pw"}))
	defer srv.Close()
	dsn := "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + st.Database()

	child := exec.Command(os.Args[0], "-test.run", "^$")
	child.Env = append(os.Environ(), swapChildEnv+"="+dsn)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "swapping\n" {
		t.Fatalf("child: %q %v\n%s", line, err, stderr.String())
	}
	// The child stands between two months: the tables hold part of its load...
	var jan, total uint64
	err = st.Conn().QueryRow(ctx, "SELECT sumIf(activities, day < '2026-02-01'), sum(activities) FROM activity_daily WHERE firm = 'acme'").Scan(&jan, &total)
	if err != nil || jan != versionB[0] || total == 105 {
		t.Fatalf("the rollup holds %d in January and %d in all (%v); the test wants the child between two months", jan, total, err)
	}
	// ...which a reader never sees: while the child lives it waits, then says why.
	impatient, err := queries.OnEngine(ctx, engine.Get(t), st.Database(), queries.Config{ReadWait: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	if _, _, err := monthCounts(ctx, impatient); !errors.Is(err, queries.ErrCommitOpen) || !strings.Contains(err.Error(), "is committing") {
		t.Fatalf("a read during the swap: %v, want ErrCommitOpen naming the load that commits", err)
	}
	// Killed there, the load is finished by the next reader: version B whole.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	months, status, err := monthCounts(ctx, st)
	if err != nil || !slices.Equal(months, versionB) || status != 105 {
		t.Fatalf("after the kill a reader sees %v and status %d (%v); want %v and 105", months, status, err, versionB)
	}
	if rows, ids, rollup := activityCounts(t, st); rows != 105 || ids != 105 || rollup != 105 {
		t.Fatalf("after the kill: %d rows, %d ids, rollup %d; want 105 each", rows, ids, rollup)
	}
	// A re-run of the killed load is exact and leaves nothing behind.
	if res := commit(t, st, queries.KindActivities, addVersion(versionB)); res.Loaded != 0 || res.Duplicates != 105 {
		t.Fatalf("re-run: %+v, want 0 loaded and 105 duplicates", res)
	}
	if months, status, err := monthCounts(ctx, st); err != nil || !slices.Equal(months, versionB) || status != 105 {
		t.Fatalf("after the re-run a reader sees %v and status %d (%v)", months, status, err)
	}
	var left uint64
	err = st.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND startsWith(name, '_')").Scan(&left)
	if err != nil || left != 0 {
		t.Fatalf("%d load tables left (%v)", left, err)
	}
}

func TestReaderClosesACommitOfAnotherKindADeadLoadLeftOpen(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	rep := func(_ context.Context, l *queries.Load) error {
		l.AddRep(salesrecipe.Rep{ID: "r1", Name: "Ann"})
		return nil
	}
	commit(t, st, queries.KindReps, rep)
	// A reps load died between its journal's 'swap' and its insert (no lease is held).
	err := st.Conn().Exec(ctx, "INSERT INTO load_journal (firm, kind, token, phase, months, rows_table, daily_table, at) "+
		"VALUES ('acme', 'reps', 'dead', 'swap', [], '', '', now64(6))")
	if err != nil {
		t.Fatal(err)
	}
	reps, err := st.Reps(ctx, "acme")
	if err != nil || len(reps) != 1 || reps[0].Name != "Ann" {
		t.Fatalf("reps: %+v %v, want Ann", reps, err)
	}
	var open uint64
	err = st.Conn().QueryRow(ctx, "SELECT count() FROM (SELECT token FROM load_journal GROUP BY token HAVING countIf(phase = 'done') = 0)").Scan(&open)
	if err != nil || open != 0 {
		t.Fatalf("%d commits left open (%v), want the reader to close the dead one", open, err)
	}
}

func TestSwapCutShortIsNeverSeenHalfUnderTheGate(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	ctx := context.Background()
	// The rollup swap of the second month fails, in a store that reads under its gate only.
	st, err := queries.Open(ctx, queries.Config{DSN: failNth(t, base.Database(), "ALTER TABLE activity_daily REPLACE PARTITION", 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queries.SetSolo(st)
	l, err := st.BeginLoad(ctx, queries.KindActivities, "acme")
	if err != nil {
		t.Fatal(err)
	}
	_ = addMonths(90, 0)(ctx, l)
	if _, err := l.Commit(ctx); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("commit: %v, want the injected failure", err)
	}
	_ = l.Abort(ctx)
	// The next read finishes the swap instead of reading half of it.
	ks, err := st.Status(ctx, "acme")
	if err != nil || len(ks) != 5 || ks[3].Kind != queries.KindActivities || ks[3].Rows != 90 {
		t.Fatalf("status after a swap cut short: %+v %v, want 90 activities", ks, err)
	}
	if rows, ids, rollup := activityCounts(t, base); rows != 90 || ids != 90 || rollup != 90 {
		t.Fatalf("after the read: %d rows, %d ids, rollup %d; want 90 each", rows, ids, rollup)
	}
}
