package synth

import (
	"context"
	"io"
	"testing"
)

func discard() Writers {
	return Writers{io.Discard, io.Discard, io.Discard, io.Discard, io.Discard}
}

// TestMemoryDoesNotGrowWithRows checks streaming: eight times the activities allocate no more.
func TestMemoryDoesNotGrowWithRows(t *testing.T) {
	allocs := func(perDay float64) float64 {
		cfg := testConfig(20, 12, 5)
		cfg.ActivitiesPerDay = perDay
		return testing.AllocsPerRun(2, func() {
			if _, err := Generate(context.Background(), cfg, discard()); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(5), allocs(40)
	if large > small*1.05+10 {
		t.Errorf("allocations grow with rows: %.0f at 5 activities a day, %.0f at 40", small, large)
	}
}

func benchmarkGenerate(b *testing.B, cfg Config) {
	var rows RowCounts
	for b.Loop() {
		tr, err := Generate(context.Background(), cfg, discard())
		if err != nil {
			b.Fatal(err)
		}
		rows.Activities += tr.Rows.Activities
		rows.DealVersions += tr.Rows.DealVersions
	}
	b.ReportMetric(float64(rows.Activities)/b.Elapsed().Seconds(), "activities/s")
	b.ReportMetric(float64(rows.Activities+rows.DealVersions)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows.Activities)/float64(b.N), "activities/op")
}

// BenchmarkGenerate measures CSV generation into io.Discard (no file system cost).
func BenchmarkGenerate(b *testing.B) {
	b.Run("demo_40x24", func(b *testing.B) { benchmarkGenerate(b, testConfig(40, 24, 1)) })
	b.Run("reps_1000x36", func(b *testing.B) { benchmarkGenerate(b, testConfig(1000, 36, 1)) })
	b.Run("activities_10M", func(b *testing.B) {
		cfg := testConfig(1000, 36, 1)
		cfg.ActivitiesPerDay = 12.8
		benchmarkGenerate(b, cfg)
	})
}

// BenchmarkWriteDir measures the same with real files.
func BenchmarkWriteDir(b *testing.B) {
	cfg := testConfig(1000, 36, 1)
	dir := b.TempDir()
	var activities int64
	for b.Loop() {
		tr, err := WriteDir(context.Background(), dir, cfg)
		if err != nil {
			b.Fatal(err)
		}
		activities += tr.Rows.Activities
	}
	b.ReportMetric(float64(activities)/b.Elapsed().Seconds(), "activities/s")
}
