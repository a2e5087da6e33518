package queries_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// BenchmarkBatchInsertActivities measures clickhouse-go's batch path into the
// embedded engine: 1,000,000 activity rows per op, column-wise, one Send per 200,000.
func BenchmarkBatchInsertActivities(b *testing.B) {
	st := engine.Store(b, queries.Config{})
	ctx := context.Background()
	const n = 1_000_000
	ids, reps, kinds := make([]string, n), make([]string, n), make([]string, n)
	times, empty := make([]time.Time, n), make([]string, n)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ids[i] = fmt.Sprintf("a%09d", i)
		reps[i] = fmt.Sprintf("r%04d", i%1000)
		kinds[i] = []string{"call", "email", "meeting", "demo", "proposal"}[i%5]
		times[i] = start.Add(time.Duration(i) * time.Minute)
	}
	b.ResetTimer()
	for range b.N {
		for lo := 0; lo < n; lo += 200_000 {
			hi := lo + 200_000
			batch, err := st.Conn().PrepareBatch(ctx, "INSERT INTO activities (firm, activity_id, rep_id, kind, occurred_at, account_id, deal_id, loaded_at)")
			if err != nil {
				b.Fatal(err)
			}
			firms, loaded := make([]string, hi-lo), make([]time.Time, hi-lo)
			for i := range firms {
				firms[i], loaded[i] = "bench", start
			}
			cols := []any{firms, ids[lo:hi], reps[lo:hi], kinds[lo:hi], times[lo:hi], empty[lo:hi], empty[lo:hi], loaded}
			for i, c := range cols {
				if err := batch.Column(i).Append(c); err != nil {
					b.Fatal(err)
				}
			}
			if err := batch.Send(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// BenchmarkLoadActivities measures the idempotent load path: staging table,
// then the month-by-month move of new rows, 1,000,000 rows per op.
func BenchmarkLoadActivities(b *testing.B) {
	st := engine.Store(b, queries.Config{})
	b.ResetTimer()
	for i := range b.N {
		res := loadActivities(b, st, "bench"+strconv.Itoa(i), 1_000_000)
		if res.Loaded != 1_000_000 {
			b.Fatalf("%+v", res)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// peakRSSMiB reads the process's peak resident set size (VmHWM) in MiB.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkFirmRead measures what the read gate costs one read of a firm
// (ActivityCounts by month over six months of 105 activities, a firm with
// 1,000 past loads in its journal): the same statement run bare, under the
// gate only (a store that alone writes its data), and checked against the
// journal's commit generation (other processes may write), whose one query
// is also timed alone.
func BenchmarkFirmRead(b *testing.B) {
	st := engine.Store(b, queries.Config{})
	ctx := context.Background()
	commit(b, st, queries.KindActivities, addVersion(versionA))
	err := st.Conn().Exec(ctx, "INSERT INTO load_journal (firm, kind, token, phase, months, rows_table, daily_table, at) "+
		"SELECT 'acme', 'activities', toString(intDiv(number, 2)), if(number % 2 = 0, 'swap', 'done'), [202601], '', '', now64(6) FROM numbers(2000)")
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile("sql/activity_counts.sql")
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	args := []any{clickhouse.Named("firm", "acme"), clickhouse.Named("grain", "month"),
		clickhouse.Named("from", "2026-01-01"), clickhouse.Named("to", "2026-07-01"), clickhouse.Named("as_of", "2027-01-01 00:00:00.000")}
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			rows, err := st.Conn().Query(ctx, string(text), args...)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var c queries.ActivityCount
				if err := rows.Scan(&c.RepID, &c.Period, &c.Kind, &c.N); err != nil {
					b.Fatal(err)
				}
			}
			rows.Close()
		}
	})
	genSQL, err := os.ReadFile("sql/firm_generation.sql")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("generation-only", func(b *testing.B) {
		for b.Loop() {
			var gen, open uint64
			if err := st.Conn().QueryRow(ctx, string(genSQL), clickhouse.Named("firm", "acme")).Scan(&gen, &open); err != nil {
				b.Fatal(err)
			}
		}
	})
	read := func(st *queries.Store) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := st.ActivityCounts(ctx, "acme", salesrecipe.GrainMonth, from, from.AddDate(0, 6, 0), from.AddDate(1, 0, 0)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("journal", read(st))
	solo, err := queries.OnEngine(ctx, engine.Get(b), st.Database(), queries.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer solo.Close()
	queries.SetSolo(solo)
	b.Run("gate", read(solo))
}
