package queries_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// stagingFaults exposes the engine over HTTP and fails the staging inserts
// whose 1-based number is in fail, once each.
func stagingFaults(t *testing.T, db string, fail map[int64]bool) (dsn string, inserts *atomic.Int64) {
	t.Helper()
	h := engine.Get(t).Handler(chdb.HandlerOptions{Password: "pw"})
	inserts = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("query")
		if strings.HasPrefix(q, "INSERT INTO `_load_") {
			if n := inserts.Add(1); fail[n] {
				_, _ = io.Copy(io.Discard, r.Body) // a failure after the rows were sent
				http.Error(w, "connection reset by peer", http.StatusServiceUnavailable)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + db, inserts
}

func TestSendsOverlapAndFailedSendsAreRetriedInOrder(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	dsn, inserts := stagingFaults(t, base.Database(), map[int64]bool{2: true, 5: true, 6: true})
	ctx := context.Background()
	st, err := queries.Open(ctx, queries.Config{DSN: dsn, LoadBatchRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.BeginLoad(ctx, queries.KindActivities, "default")
	if err != nil {
		t.Fatal(err)
	}
	const rows, distinct = 10_500, 7_000
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	failures := 0
	for i := range rows {
		// Rows 7,000 on repeat earlier rows as they are: each id is stored once.
		l.AddActivity(salesrecipe.Activity{ID: fmt.Sprintf("a%05d", i%distinct), RepID: "r0",
			Kind: "call", OccurredAt: start.Add(time.Duration(i%distinct) * 5 * time.Minute)})
		if !l.Full() {
			continue
		}
		for err := l.Send(ctx); err != nil; err = l.Send(ctx) {
			if failures++; failures > 10 {
				t.Fatalf("send keeps failing: %v", err)
			}
		}
	}
	if got := l.Staged(); got != rows {
		t.Fatalf("staged %d rows, want %d", got, rows)
	}
	res, err := l.Commit(ctx)
	for ; err != nil; res, err = l.Commit(ctx) {
		if failures++; failures > 10 {
			t.Fatalf("commit keeps failing: %v", err)
		}
	}
	if failures != 3 || inserts.Load() != 11+3 {
		t.Errorf("%d failed sends of %d inserts, want 3 of 14 (11 batches)", failures, inserts.Load())
	}
	if res.Staged != rows || res.Loaded != distinct || res.Duplicates != rows-distinct {
		t.Errorf("commit %+v, want staged %d, loaded %d", res, rows, distinct)
	}
	var n, firsts uint64
	err = base.Conn().QueryRow(ctx, "SELECT count(), countIf(rep_id = 'r0') FROM activities FINAL WHERE firm = 'default'").Scan(&n, &firsts)
	if err != nil || n != distinct || firsts != distinct {
		t.Fatalf("stored %d activities, %d of them the first row of their id (%v); want %d and %d", n, firsts, err, distinct, distinct)
	}
}

func TestLoadOverlappingMonthsStoresEachIDOnce(t *testing.T) {
	st := engine.Store(t, queries.Config{LoadBatchRows: 500})
	ctx := context.Background()
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// One activity every 2 hours: 372 in January, 336 in February, 372 in March.
	add := func(from, to time.Time) func(context.Context, *queries.Load) error {
		return func(ctx context.Context, l *queries.Load) error {
			for at := from; at.Before(to); at = at.Add(2 * time.Hour) {
				l.AddActivity(salesrecipe.Activity{ID: "a" + at.Format("0102T15"), RepID: "r1", Kind: "call", OccurredAt: at})
				if l.Full() {
					if err := l.Send(ctx); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	feb15, apr := jan.AddDate(0, 1, 14), jan.AddDate(0, 3, 0)
	first := commit(t, st, queries.KindActivities, add(jan, feb15))
	// The second load repeats the first half of February (ids stored) and brings new months.
	second := commit(t, st, queries.KindActivities, add(jan.AddDate(0, 1, 0), apr))
	if first.Loaded != 372+168 || second.Loaded != 168+372 || second.Duplicates != 168 {
		t.Fatalf("first %+v, second %+v; want 540 loaded, then 540 loaded and 168 duplicates", first, second)
	}
	var months []uint64
	rows, err := st.Conn().Query(ctx, "SELECT count() FROM activities FINAL GROUP BY toYYYYMM(occurred_at) ORDER BY toYYYYMM(occurred_at)")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n uint64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		months = append(months, n)
	}
	if fmt.Sprint(months) != "[372 336 372]" {
		t.Fatalf("stored per month %v, want [372 336 372]", months)
	}
	var rollup uint64
	if err := st.Conn().QueryRow(ctx, "SELECT sum(activities) FROM activity_daily").Scan(&rollup); err != nil || rollup != 1080 {
		t.Fatalf("daily rollup counts %d activities (%v), want 1080: a duplicate reached the view", rollup, err)
	}
}
