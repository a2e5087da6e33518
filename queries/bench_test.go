package queries_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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
