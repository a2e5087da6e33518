package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

// synthFlags are the values of the synth command's flags.
type synthFlags struct {
	out, start, firm, optimism, shape, format string
	reps, months, lagPeak                     int
	seed                                      int64
	perDay, fileFactor, season, churn         float64
	amountSigma                               float64
	shortfall, blind, sources                 bool
}

// runSynth writes a synthetic firm's five CSV files and its truth.json.
func runSynth(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "synth", "synth --out DIR [--firm NAME] [--reps N] [--months M] [--start YYYY-MM-DD] [--seed S] [--shape full|deals-only|snapshot] [--format files|crm] [--sources] [--shortfall] [mechanics flags]",
		"Writes a realistic synthetic firm with a known recipe: reps.csv, quotas.csv, stages.csv,\n"+
			"activities.csv, deals.csv (one row per deal version) and truth.json (the true value and delay\n"+
			"profile of each activity kind). The history covers M calendar months ending this month, or\n"+
			"starting with the month of --start. --firm starts from a small firm of the mechanics catalogue\n"+
			"("+strings.Join(mechanicsNames(), ", ")+");\nflags given on the command line override it. --shape deals-only writes activities.csv with its\n"+
			"header only (a CRM export without an activity log); --shape snapshot also writes one row per deal,\n"+
			"its latest version, as a CRM opportunity export does. truth.json is the same for every shape.\n"+
			"--format crm (implies --shape snapshot) also writes that snapshot as a common CRM export:\n"+
			"opportunities.csv (deal_stage Won/Lost/Engaging/Prospecting) and teams.csv, for the crm-* mappings.")
	var f synthFlags
	f.register(fs, synth.DefaultConfig())
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if f.out == "" {
		return usageErr(e, "synth", "--out DIR is required")
	}
	cfg, err := f.config(fs)
	if err != nil {
		return usageErr(e, "synth", "%v", err)
	}
	if cfg.End, err = synthEnd(f.start, cfg.Months, e.now()); err != nil {
		return usageErr(e, "synth", "%v", err)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	truth, err := synth.WriteDir(ctx, f.out, cfg)
	if err != nil {
		return err
	}
	if f.format == "crm" {
		if err := synth.WriteCRM(f.out); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "wrote a firm of %d reps over %d months (%s to %s) to %s: %d activities, %d deals (%d deal versions)\n",
		cfg.Reps, cfg.Months, cfg.Start().Format(time.DateOnly), cfg.End.Format(time.DateOnly), f.out,
		truth.Rows.Activities, truth.Rows.Deals, truth.Rows.DealVersions)
	return nil
}

func (f *synthFlags) register(fs *flag.FlagSet, def synth.Config) {
	fs.StringVar(&f.out, "out", "", "directory to write the files into (created if missing)")
	fs.StringVar(&f.firm, "firm", "", "start from this firm of the mechanics catalogue instead of the default firm")
	fs.IntVar(&f.reps, "reps", def.Reps, "number of reps")
	fs.IntVar(&f.months, "months", def.Months, "number of calendar months of history")
	fs.StringVar(&f.start, "start", "", "first day of the history, YYYY-MM-DD (default: M months ending this month)")
	fs.Int64Var(&f.seed, "seed", def.Seed, "random seed; the same seed writes the same firm")
	fs.Float64Var(&f.perDay, "activities-per-day", def.ActivitiesPerDay, "average activities per rep per working day")
	fs.StringVar(&f.shape, "shape", string(synth.ShapeFull), "which rows the files hold: full, deals-only (no activity rows) or snapshot (no activity rows, one row per deal)")
	fs.StringVar(&f.format, "format", "files", "files (the canonical files) or crm (also "+synth.CRMOpportunities+" and "+synth.CRMTeams+" of the snapshot)")
	fs.BoolVar(&f.shortfall, "shortfall", false, "plant a rep ("+synth.ShortfallRep+") heading for a shortfall this month")
	fs.Float64Var(&f.amountSigma, "amount-sigma", 0, "lognormal sigma of deal amounts, e.g. 1.2 for lumpy deals (0: the default)")
	fs.BoolVar(&f.blind, "stage-blind", false, "a deal's win chance does not depend on its stage")
	fs.BoolVar(&f.sources, "sources", false, "write each deal's source (the activity kind that sourced it, or inbound) in deals.csv and the CRM export's lead_source")
	fs.Float64Var(&f.fileFactor, "stage-file-factor", 0, "stages file = true win rates x this factor, e.g. 2.5 (0: seed-drawn miscalibration)")
	fs.StringVar(&f.optimism, "close-optimism", "", "MIN-MAX: every expected close date is that many days early, e.g. 14-21")
	fs.Float64Var(&f.season, "season-amplitude", 0, "multiply the seasonal swings of activity, e.g. 3 (0: as drawn)")
	fs.Float64Var(&f.churn, "turnover", 0, "chance a non-lead rep joins late, and again that one leaves, e.g. 0.4 (0: 0.15 and 0.10)")
	fs.IntVar(&f.lagPeak, "lag-peak", 0, "sourced deals close mostly this many months after the activity; raises each kind's longest delay to at least N+1")
}

// config starts from the named firm (or the default one) and applies the flags given on the command line.
func (f *synthFlags) config(fs *flag.FlagSet) (synth.Config, error) {
	cfg := synth.DefaultConfig()
	if f.firm != "" {
		nc, ok := findMechanics(f.firm)
		if !ok {
			return cfg, fmt.Errorf("--firm %q: want one of %s", f.firm, strings.Join(mechanicsNames(), ", "))
		}
		cfg = nc.Config
	}
	var err error
	switch f.format {
	case "files":
	case "crm":
		cfg.Shape = synth.ShapeSnapshot
	default:
		return cfg, fmt.Errorf("--format %q: want files or crm", f.format)
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "reps":
			cfg.Reps = f.reps
		case "months":
			cfg.Months = f.months
		case "seed":
			cfg.Seed = f.seed
		case "activities-per-day":
			cfg.ActivitiesPerDay = f.perDay
		case "shortfall":
			cfg.Shortfall = f.shortfall
		case "shape":
			var serr error
			if cfg.Shape, serr = synth.ParseShape(f.shape); f.format == "crm" && cfg.Shape != synth.ShapeSnapshot {
				serr = errors.Join(serr, fmt.Errorf("--format crm writes a snapshot, not --shape %s", f.shape))
			}
			err = errors.Join(err, serr)
		case "amount-sigma":
			cfg.AmountSigma = f.amountSigma
		case "stage-blind":
			cfg.StageBlindWins = f.blind
		case "sources":
			cfg.Sources = f.sources
		case "stage-file-factor":
			cfg.StageFileFactor = f.fileFactor
		case "close-optimism":
			cfg.CloseOptimismMinDays, cfg.CloseOptimismMaxDays, err = parseDayRange(f.optimism)
		case "season-amplitude":
			cfg.SeasonAmplitude = f.season
		case "turnover":
			cfg.Turnover = f.churn
		case "lag-peak":
			cfg.LagPeak, cfg.Kinds = f.lagPeak, synth.StretchLags(cfg.Kinds, f.lagPeak)
		}
	})
	return cfg, err
}

// parseDayRange parses "MIN-MAX" (or one number N, meaning N-N) days.
func parseDayRange(s string) (lo, hi int, err error) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		b = a
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("--close-optimism %q: want MIN-MAX days, e.g. 14-21", s)
	}
	return lo, hi, nil
}

func findMechanics(name string) (synth.NamedConfig, bool) {
	for _, nc := range synth.Mechanics() {
		if nc.Name == name {
			return nc, true
		}
	}
	return synth.NamedConfig{}, false
}

func mechanicsNames() []string {
	var names []string
	for _, nc := range synth.Mechanics() {
		names = append(names, nc.Name)
	}
	return names
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
