package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// runBacktest scores the forecast and the baselines over past periods.
func runBacktest(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "backtest", "backtest [--firm F] [--from P] [--to P] [--points N] [--format table|json] [store flags]",
		"Backtests past periods: at N as-of points inside each period, at the elapsed shares 1/(N+1) .. N/(N+1)\n"+
			"(default 20%, 40%, 60% and 80%), each moved 97 minutes off the round grid, it refits on the data\n"+
			"known then, forecasts, and compares with what was really won. Methods: salesrecipe (the combined forecast), recipe_only, pipeline_only and the\n"+
			"baselines last_period, run_rate and stage_weighted. Prints rep- and team-level WAPE, bias and the\n"+
			"80% interval coverage per method and as-of point, and people's forecast calls (rep_commit, manager_commit:\n"+
			"the latest commit submitted by each moment) beside the model. Periods are YYYY-MM, YYYY-Qn or YYYY-Wnn.")
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm")
	fromFlag := fs.String("from", "", "first period to backtest; default 11 periods before --to")
	toFlag := fs.String("to", "", "last period to backtest; default the last month that has ended, or the data's last month when it ended a month or more ago")
	points := fs.Int("points", 4, "as-of points per period, spread evenly over it")
	format := fs.String("format", "table", "output format: table or json")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	from, to, err := backtestRange(*fromFlag, *toFlag, e.now())
	if err != nil {
		return usageErr(e, "backtest", "%v", err)
	}
	if *points < 1 {
		return usageErr(e, "backtest", "--points %d: want at least 1", *points)
	}
	if err := checkFormat(e, "backtest", *format, "table", "json"); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "backtest")
	if err != nil {
		return err
	}
	defer st.Close()
	if *toFlag == "" {
		if from, to, err = dataRange(ctx, e, st, *firm, *fromFlag); err != nil {
			return err
		}
	}
	bt := &forecast.Backtester{Store: st, Now: e.now}
	res, err := bt.Run(ctx, forecast.BacktestRequest{Firm: *firm, From: from, To: to, Points: forecast.DefaultPoints(*points)})
	if err != nil {
		return err
	}
	calls, err := st.Calls(ctx, *firm, from.Start, to.Start, e.now())
	if err != nil {
		return err
	}
	res.Calls = forecast.ScoreCalls(res, from.Grain, calls)
	if *format == "json" {
		return writeJSON(e.stdout, res)
	}
	return printBacktest(e.stdout, res, from, to)
}

// dataRange returns the default range, the 12 months before now, or, when the firm's data ended a month
// or more ago, the 12 months up to the data's last month (and says so on stderr).
func dataRange(ctx context.Context, e *env, st *queries.Store, firm, fromFlag string) (from, to salesrecipe.Period, err error) {
	now := e.now()
	end, last, err := dataEnd(ctx, st, firm, salesrecipe.GrainMonth, now)
	if err != nil {
		return from, to, err
	}
	from, to, err = backtestRange(fromFlag, "", end)
	if err == nil && !end.Equal(now) {
		fmt.Fprintf(e.stderr, "salesrecipe backtest: the data of firm %q ends %s; backtesting up to %s, its last month (not the last month before now); "+
			"pass --to to choose\n", firm, last.UTC().Format(time.DateOnly), to)
	}
	return from, to, err
}

// backtestRange reads --from and --to, defaulting to the last 12 months that ended by now.
func backtestRange(fromFlag, toFlag string, now time.Time) (from, to salesrecipe.Period, err error) {
	to = salesrecipe.NewPeriod(salesrecipe.GrainMonth, now).Prev()
	if toFlag != "" {
		if to, err = salesrecipe.ParsePeriod(toFlag); err != nil {
			return from, to, fmt.Errorf("--to: %w", err)
		}
	}
	from = to
	for range 11 {
		from = from.Prev()
	}
	if fromFlag != "" {
		if from, err = salesrecipe.ParsePeriod(fromFlag); err != nil {
			return from, to, fmt.Errorf("--from: %w", err)
		}
	}
	switch {
	case from.Grain != to.Grain:
		return from, to, fmt.Errorf("--from %s and --to %s have different lengths", from, to)
	case to.Start.Before(from.Start):
		return from, to, fmt.Errorf("--from %s is after --to %s", from, to)
	}
	return from, to, nil
}

// printBacktest prints one line per method and as-of point.
func printBacktest(w io.Writer, bt *forecast.Backtest, from, to salesrecipe.Period) error {
	fmt.Fprintf(w, "Backtest of firm %s over %d periods (%s to %s): refit at each as-of point on the data known then\n\n", bt.Firm, bt.Periods, from, to)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tas of\trep WAPE\tteam WAPE\tbias\t80% interval coverage\tteam coverage\tforecasts")
	for _, s := range bt.Methods {
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%s\t%+.1f%%\t%s\t%s\t%d\n", s.Method, s.AsOfPoint, 100*s.RepWAPE, pct(s.TeamWAPE, 1), 100*s.Bias,
			pct(s.IntervalCoverage, 0), pct(s.TeamIntervalCoverage, 0), s.Forecasts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := printCallScores(w, bt.Calls); err != nil {
		return err
	}
	for _, n := range bt.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

// pct prints an optional ratio as a percentage with the given decimals, "-" when it is nil.
func pct(v *float64, decimals int) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.*f%%", decimals, 100**v)
}

// printCallScores prints people's calls scored beside the model, one line per rep, team and total.
func printCallScores(w io.Writer, scores []forecast.CallScore) error {
	if len(scores) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nPeople's calls (the latest commit submitted by each moment) beside the model at the same moments:\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tcall of\tmoments\tcall WAPE\tcall bias\tmodel WAPE\tmodel bias")
	for _, c := range scores {
		who := c.RepID
		switch {
		case c.All:
			who = "all"
		case who == "":
			who = "team " + c.Team
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%+.1f%%\t%.1f%%\t%+.1f%%\n", c.Method, who, c.Forecasts, 100*c.WAPE, 100*c.Bias, 100*c.ModelWAPE, 100*c.ModelBias)
	}
	return tw.Flush()
}
