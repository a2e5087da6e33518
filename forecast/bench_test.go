package forecast

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
)

// topUpActivities loads n more activities spread over the firm's reps, kinds and days, through the
// ordinary load path, so the firm reaches the benchmark's activity volume.
func topUpActivities(b *testing.B, st *queries.Store, cfg synth.Config, n int) {
	ctx := context.Background()
	l, err := st.BeginLoad(ctx, queries.KindActivities, "acme")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	kinds := []string{"call", "email", "meeting", "demo", "proposal"}
	span := cfg.End.Sub(cfg.Start())
	for i := range n {
		l.AddActivity(salesrecipe.Activity{ID: fmt.Sprintf("x%09d", i), RepID: fmt.Sprintf("r%04d", 1+rng.IntN(cfg.Reps)),
			Kind: kinds[rng.IntN(len(kinds))], OccurredAt: cfg.Start().Add(time.Duration(rng.Int64N(int64(span))))})
		if l.Full() {
			if err := l.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := l.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkForecast1000Reps50MActivities times a warm forecast of a 1,000-rep firm holding 50,000,000
// activities: the synthetic firm's own history (about 3 million activities and its deals) topped up
// with activities to 50 million. Setup takes several minutes; run it with -benchtime 5x.
func BenchmarkForecast1000Reps50MActivities(b *testing.B) {
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Seed = 1000, 24, 3
	cfg.End = time.Date(2026, 6, 16, 0, 0, 0, 0, time.UTC)
	f := generate(b, cfg)
	st := engine.Store(b, queries.Config{})
	load(b, st, "acme", f.dir)
	ctx := context.Background()
	var have uint64
	if err := st.Conn().QueryRow(ctx, "SELECT sum(activities) FROM activity_daily WHERE firm = 'acme'").Scan(&have); err != nil {
		b.Fatal(err)
	}
	topUpActivities(b, st, cfg, 50_000_000-int(have))
	period, _ := salesrecipe.ParsePeriod("2026-06")
	asOf := cfg.End.Add(-time.Hour)
	fc := &Forecaster{Store: st, Now: clock(cfg.End)}
	fitStart := time.Now()
	if _, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: asOf, Refit: true}); err != nil {
		b.Fatal(err)
	}
	fitTime := time.Since(fitStart)
	b.ResetTimer()
	for range b.N {
		out, err := fc.Forecast(ctx, Request{Firm: "acme", Period: period, AsOf: asOf})
		if err != nil || len(out.Reps) < 900 {
			b.Fatalf("%v, %d reps", err, len(out.Reps))
		}
	}
	b.StopTimer()
	b.ReportMetric(fitTime.Seconds(), "fit+first-forecast-s")
	var rows, versions uint64
	st.Conn().QueryRow(ctx, "SELECT count() FROM activities WHERE firm = 'acme'").Scan(&rows)
	st.Conn().QueryRow(ctx, "SELECT count() FROM deal_versions WHERE firm = 'acme'").Scan(&versions)
	b.ReportMetric(float64(rows), "activities")
	b.ReportMetric(float64(versions), "deal-versions")
	reportSteps(b, st, period, asOf)
}

// reportSteps times the forecast's reads and its Go work once each, in milliseconds.
func reportSteps(b *testing.B, st *queries.Store, period salesrecipe.Period, asOf time.Time) {
	ctx := context.Background()
	step := func(name string, fn func() error) {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, name+"-ms")
	}
	var m *Model
	step("recipe", func() (err error) { m, _, err = Latest(ctx, st, "acme", period.Grain, asOf); return err })
	step("deals", func() error {
		_, err := st.PeriodDeals(ctx, "acme", period.Prev().Start, period.End(), asOf)
		return err
	})
	step("counts", func() error {
		_, err := st.ActivityCounts(ctx, "acme", period.Grain, period.Start.AddDate(0, -m.lags()-1, 0), period.End(), asOf)
		return err
	})
	reps, _ := st.Reps(ctx, "acme")
	quotas, _ := periodQuotas(ctx, st, "acme", period)
	ps, err := readPeriod(ctx, storeReader{st: st, firm: "acme"}, m, period, asOf, slices.Collect(maps.Keys(quotas)))
	if err != nil {
		b.Fatal(err)
	}
	var out *Forecast
	step("assemble", func() error { out = assemble(m, ps, asOf, reps, quotas); return nil })
	step("snapshot", func() error { return st.SaveSnapshots(ctx, "acme", out.Snapshots(time.Now())) })
}

// BenchmarkBacktestDemoFirm times the default backtest of the demo firm (40 reps, 24 months): the last
// 12 months, 3 as-of points each, refitting at each.
func BenchmarkBacktestDemoFirm(b *testing.B) {
	cfg := synth.DefaultConfig()
	cfg.End = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	f := generate(b, cfg)
	st := engine.Store(b, queries.Config{})
	load(b, st, "acme", f.dir)
	from, _ := salesrecipe.ParsePeriod("2025-07")
	to, _ := salesrecipe.ParsePeriod("2026-06")
	b.ResetTimer()
	for range b.N {
		bt := &Backtester{Store: st, Now: clock(cfg.End)}
		if _, err := bt.Run(context.Background(), BacktestRequest{Firm: "acme", From: from, To: to}); err != nil {
			b.Fatal(err)
		}
	}
}
