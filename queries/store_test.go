package queries_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded engine.
var engine querytest.Engine

// TestMain stops the embedded engine before the binary exits; as a child it
// runs the load a test kills.
func TestMain(m *testing.M) {
	if dsn := os.Getenv(swapChildEnv); dsn != "" {
		os.Exit(swapChild(dsn))
	}
	engine.Main(m)
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	before := tableList(t, st)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if after := tableList(t, st); after != before {
		t.Fatalf("tables changed on second migrate:\n%s\n%s", before, after)
	}
	var marks uint64
	if err := st.Conn().QueryRow(ctx, "SELECT count() FROM schema_migrations").Scan(&marks); err != nil {
		t.Fatal(err)
	}
	ms, _ := queries.Migrations()
	if marks != uint64(2*len(ms)) {
		t.Fatalf("migration log has %d rows, want %d (one dirty, one clean each)", marks, 2*len(ms))
	}
	for _, want := range []string{"activities", "activity_daily", "deal_versions", "forecast_snapshots", "load_journal", "quotas", "plans", "recipes", "reps", "session_revocations", "stages", "calls"} {
		if !strings.Contains(before, want+"\n") {
			t.Errorf("table %s missing after migrate: %s", want, before)
		}
	}
}

func TestDirtyMigrationStopsStartUp(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	if err := st.Conn().Exec(ctx, "INSERT INTO schema_migrations (version, name, dirty, at) VALUES (3, 'activities', 1, now64(9))"); err != nil {
		t.Fatal(err)
	}
	err := st.Migrate(ctx)
	if !errors.Is(err, queries.ErrDirty) {
		t.Fatalf("want ErrDirty, got %v", err)
	}
	for _, want := range []string{"0003_activities", "--force-clean 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
	if err := st.MarkClean(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("after --force-clean: %v", err)
	}
}

// tableList names the store's tables, one per line.
func tableList(t *testing.T, st *queries.Store) string {
	t.Helper()
	rows, err := st.Conn().Query(context.Background(), "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, n)
	}
	return b.String()
}

func TestServerVersion(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	v, err := st.ServerVersion(context.Background())
	if err != nil || !strings.HasPrefix(v, "26.") {
		t.Fatalf("version %q, %v", v, err)
	}
}

// loadActivities stages n synthetic activities and commits them.
func loadActivities(t testing.TB, st *queries.Store, firm string, n int) queries.LoadResult {
	t.Helper()
	ctx := context.Background()
	l, err := st.BeginLoad(ctx, queries.KindActivities, firm)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{"call", "email", "meeting", "demo", "proposal"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		a := salesrecipe.Activity{
			ID:         fmt.Sprintf("a%08d", i),
			RepID:      fmt.Sprintf("r%03d", i%100),
			Kind:       kinds[i%len(kinds)],
			OccurredAt: start.Add(time.Duration(i%(365*24)) * time.Hour),
		}
		l.AddActivity(a)
		if l.Full() {
			if err := l.Send(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := l.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// expectedCounts computes what loadActivities stores, per rep x month x kind.
func expectedCounts(n int) map[string]uint64 {
	kinds := []string{"call", "email", "meeting", "demo", "proposal"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]uint64{}
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i%(365*24)) * time.Hour)
		key := fmt.Sprintf("r%03d|%s|%s", i%100, ts.Format("2006-01"), kinds[i%len(kinds)])
		want[key]++
	}
	return want
}

// storedCounts reads the rollup per rep x month x kind.
func storedCounts(t testing.TB, st *queries.Store, firm string) map[string]uint64 {
	t.Helper()
	got, err := st.ActivityCounts(context.Background(), firm, salesrecipe.GrainMonth,
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for _, c := range got {
		m[fmt.Sprintf("%s|%s|%s", c.RepID, c.Period.Format("2006-01"), c.Kind)] = c.N
	}
	return m
}

func TestMillionActivitiesRoundTripAndReload(t *testing.T) {
	if raceEnabled {
		t.Skip("numbers, not concurrency: make test runs it without the race detector")
	}
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	st := engine.Store(t, queries.Config{})
	res := loadActivities(t, st, "acme", n)
	if res.Staged != int64(n) || res.Loaded != int64(n) || res.Duplicates != 0 {
		t.Fatalf("first load: %+v", res)
	}
	want := expectedCounts(n)
	compareCounts(t, want, storedCounts(t, st, "acme"))

	res = loadActivities(t, st, "acme", n)
	if res.Loaded != 0 || res.Duplicates != int64(n) {
		t.Fatalf("second load of the same rows: %+v", res)
	}
	compareCounts(t, want, storedCounts(t, st, "acme"))
	var raw uint64
	if err := st.Conn().QueryRow(context.Background(), "SELECT count() FROM activities FINAL WHERE firm = 'acme'").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != uint64(n) {
		t.Fatalf("activities FINAL count %d, want %d", raw, n)
	}
	if other := storedCounts(t, st, "other"); len(other) != 0 {
		t.Fatalf("another firm sees %d cells", len(other))
	}
}

// compareCounts fails on the first differing cell.
func compareCounts(t *testing.T, want, got map[string]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d cells, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Fatalf("cell %s = %d, want %d", k, got[k], w)
		}
	}
}
