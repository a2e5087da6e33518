package queries_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// failNth exposes the engine over HTTP and fails the nth statement that starts with prefix.
func failNth(t *testing.T, db, prefix string, nth int64) string {
	t.Helper()
	h := engine.Get(t).Handler(chdb.HandlerOptions{Password: "pw"})
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		q := r.URL.Query().Get("query") + string(body)
		if strings.HasPrefix(q, prefix) && seen.Add(1) == nth {
			http.Error(w, "Code: 999. DB::Exception: injected failure", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + db
}

// activityCounts returns the firm's stored activities, distinct ids and the rollup's sum.
func activityCounts(t *testing.T, st *queries.Store) (rows, ids, rollup uint64) {
	t.Helper()
	err := st.Conn().QueryRow(context.Background(), "SELECT (SELECT count() FROM activities WHERE firm = 'acme'), "+
		"(SELECT uniqExact(activity_id) FROM activities WHERE firm = 'acme'), "+
		"(SELECT sum(activities) FROM activity_daily WHERE firm = 'acme')").Scan(&rows, &ids, &rollup)
	if err != nil {
		t.Fatal(err)
	}
	return rows, ids, rollup
}

// addMonths stages n activities a day apart from January on, with ids a0..a(n-1).
func addMonths(n int, shift time.Duration) func(context.Context, *queries.Load) error {
	return func(ctx context.Context, l *queries.Load) error {
		start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(shift)
		for i := range n {
			l.AddActivity(salesrecipe.Activity{ID: fmt.Sprintf("a%d", i), RepID: "r1", Kind: "call", OccurredAt: start.AddDate(0, 0, i)})
		}
		return nil
	}
}

func TestSwapCutShortIsFinishedByTheNextOpen(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	ctx := context.Background()
	// The rollup swap of the second month fails: activities of January and February
	// are swapped in, the rollup of January only.
	st, err := queries.Open(ctx, queries.Config{DSN: failNth(t, base.Database(), "ALTER TABLE activity_daily REPLACE PARTITION", 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.BeginLoad(ctx, queries.KindActivities, "acme")
	if err != nil {
		t.Fatal(err)
	}
	_ = addMonths(90, 0)(ctx, l)
	if _, err := l.Commit(ctx); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("commit: %v, want the injected failure", err)
	}
	if err := l.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, _, rollup := activityCounts(t, base); rows == rollup {
		t.Fatalf("the failure left %d rows and a rollup of %d; the test wants them apart", rows, rollup)
	}
	if err := base.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, ids, rollup := activityCounts(t, base); rows != 90 || ids != 90 || rollup != 90 {
		t.Fatalf("after recovery: %d rows, %d ids, rollup %d; want 90 each", rows, ids, rollup)
	}
	var left uint64
	err = base.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND startsWith(name, '_')").Scan(&left)
	if err != nil || left != 0 {
		t.Fatalf("%d load tables left after recovery (%v)", left, err)
	}
}

func TestLaterLoadMovesAnActivity(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	first := commit(t, st, queries.KindActivities, addMonths(40, 0))
	// The same ids 45 days later: every activity moves, some to another month.
	second := commit(t, st, queries.KindActivities, addMonths(40, 45*24*time.Hour))
	again := commit(t, st, queries.KindActivities, addMonths(40, 45*24*time.Hour))
	if first.Loaded != 40 || second.Loaded != 40 || again.Loaded != 0 || again.Duplicates != 40 {
		t.Fatalf("loaded %+v, %+v, %+v; want 40, 40 (all changed), then 0 and 40 duplicates", first, second, again)
	}
	rows, ids, rollup := activityCounts(t, st)
	var jan uint64
	if err := st.Conn().QueryRow(context.Background(), "SELECT sum(activities) FROM activity_daily WHERE firm = 'acme' AND day < '2026-02-01'").Scan(&jan); err != nil {
		t.Fatal(err)
	}
	if rows != 40 || ids != 40 || rollup != 40 || jan != 0 {
		t.Fatalf("%d rows, %d ids, rollup %d, %d in January; want 40, 40, 40 and 0", rows, ids, rollup, jan)
	}
}

func TestConflictingRowsInOneLoadStoreNothing(t *testing.T) {
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	act := salesrecipe.Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day}
	deal := salesrecipe.Deal{ID: "d1", RepID: "r1", Stage: "proposal", Status: salesrecipe.StatusOpen, Amount: 100,
		CreatedAt: day, UpdatedAt: day, CloseDate: day.AddDate(0, 1, 0)}
	rep := salesrecipe.Rep{ID: "r1", Name: "Ann"}
	cases := []struct {
		name string
		kind queries.Kind
		add  func(l *queries.Load, second bool)
		key  string
	}{
		{"activity in another month", queries.KindActivities, func(l *queries.Load, second bool) {
			a := act
			if second {
				a.OccurredAt = day.AddDate(0, 1, 0)
			}
			l.AddActivity(a)
		}, "a1"},
		{"activity of another rep", queries.KindActivities, func(l *queries.Load, second bool) {
			a := act
			if second {
				a.RepID = "r2"
			}
			l.AddActivity(a)
		}, "a1"},
		{"deal version with another amount", queries.KindDeals, func(l *queries.Load, second bool) {
			d := deal
			if second {
				d.Amount = 200
			}
			l.AddDeal(d)
		}, "d1 at 2026-03-02 09:00:00.000"},
		{"rep with another name", queries.KindReps, func(l *queries.Load, second bool) {
			r := rep
			if second {
				r.Name = "Anne"
			}
			l.AddRep(r)
		}, "r1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := engine.Store(t, queries.Config{})
			ctx := context.Background()
			l, err := st.BeginLoad(ctx, c.kind, "acme")
			if err != nil {
				t.Fatal(err)
			}
			for i, second := range []bool{false, false, true} { // an identical repeat, then a different row
				l.At(uint64(i + 2))
				c.add(l, second)
			}
			_, err = l.Commit(ctx)
			ce, ok := errors.AsType[*queries.ConflictError](err)
			if !ok || len(ce.Conflicts) != 1 || ce.Conflicts[0].Key != c.key || ce.Conflicts[0].Second != 4 || ce.Conflicts[0].First > 3 {
				t.Fatalf("commit: %v (%+v), want one conflict on %s between position 2 or 3 and 4", err, ce, c.key)
			}
			_ = l.Abort(ctx)
			var n uint64
			table := map[queries.Kind]string{queries.KindActivities: "activities", queries.KindDeals: "deal_versions", queries.KindReps: "reps"}[c.kind]
			if err := st.Conn().QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d rows stored (%v), want none", n, err)
			}
		})
	}
}

// holdLease creates the activities lease of firm acme as another process would: holder names it.
func holdLease(t *testing.T, st *queries.Store, holder string) {
	t.Helper()
	sum := sha256.Sum256([]byte("acme"))
	ddl := "CREATE TABLE _lease_activities_" + hex.EncodeToString(sum[:8]) +
		" (at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY at COMMENT '" + holder + "'"
	if err := st.Conn().Exec(context.Background(), ddl); err != nil {
		t.Fatal(err)
	}
}

func TestLeaseOfADeadLoadIsTakenOverAndALiveOneWaitedFor(t *testing.T) {
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	st := engine.Store(t, queries.Config{})
	holdLease(t, st, fmt.Sprintf("salesrecipe %s %d deadbeef", host, gone.Process.Pid))
	if res := commit(t, st, queries.KindActivities, addMonths(10, 0)); res.Loaded != 10 {
		t.Fatalf("after taking over a dead load's lease: %+v", res)
	}
	// A live holder elsewhere that stamped its lease just now: a load waits for it.
	holdLease(t, st, "salesrecipe other-host 1 cafebabe")
	// Only the commit runs under the deadline: staging under it too made the test fail on a loaded
	// machine (load average 9) with the deadline spent before the commit reached the lease.
	l, err := st.BeginLoad(context.Background(), queries.KindActivities, "acme")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Abort(context.Background())
	if err := addMonths(20, 0)(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := l.Commit(ctx); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "wait for another load") {
		t.Fatalf("commit under a live lease: %v, want it to wait until the deadline", err)
	}
	if rows, _, _ := activityCounts(t, st); rows != 10 {
		t.Fatalf("%d rows stored, want the 10 of the first load", rows)
	}
}
