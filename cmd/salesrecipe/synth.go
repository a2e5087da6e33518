package main

import (
	"context"
	"fmt"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

// runSynth writes a synthetic firm's five CSV files and its truth.json.
func runSynth(ctx context.Context, e *env, args []string) error {
	def := synth.DefaultConfig()
	fs := newFlagSet(e, "synth", "synth --out DIR [--reps N] [--months M] [--start YYYY-MM-DD] [--seed S] [--shortfall]",
		"Writes a realistic synthetic firm with a known recipe: reps.csv, quotas.csv, stages.csv,\n"+
			"activities.csv, deals.csv (one row per deal version) and truth.json (the true value and delay\n"+
			"profile of each activity kind). The history covers M calendar months ending this month, or\n"+
			"starting with the month of --start.")
	out := fs.String("out", "", "directory to write the files into (created if missing)")
	reps := fs.Int("reps", def.Reps, "number of reps")
	months := fs.Int("months", def.Months, "number of calendar months of history")
	start := fs.String("start", "", "first day of the history, YYYY-MM-DD (default: M months ending this month)")
	seed := fs.Int64("seed", def.Seed, "random seed; the same seed writes the same firm")
	perDay := fs.Float64("activities-per-day", def.ActivitiesPerDay, "average activities per rep per working day")
	shortfall := fs.Bool("shortfall", false, "plant a rep ("+synth.ShortfallRep+") heading for a shortfall this month")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *out == "" {
		return usageErr(e, "synth", "--out DIR is required")
	}
	cfg := def
	cfg.Reps, cfg.Months, cfg.Seed, cfg.ActivitiesPerDay, cfg.Shortfall = *reps, *months, *seed, *perDay, *shortfall
	end, err := synthEnd(*start, *months, e.now())
	if err != nil {
		return usageErr(e, "synth", "%v", err)
	}
	cfg.End = end
	if err := cfg.Validate(); err != nil {
		return err
	}
	truth, err := synth.WriteDir(ctx, *out, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote a firm of %d reps over %d months (%s to %s) to %s: %d activities, %d deals (%d deal versions)\n",
		cfg.Reps, cfg.Months, cfg.Start().Format(time.DateOnly), end.Format(time.DateOnly), *out,
		truth.Rows.Activities, truth.Rows.Deals, truth.Rows.DealVersions)
	return nil
}

// synthEnd is the exclusive end of the history: now, or M months after the start's month.
func synthEnd(start string, months int, now time.Time) (time.Time, error) {
	if start == "" {
		return now.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start %q: want YYYY-MM-DD", start)
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, months, 0), nil
}
