package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// classicCoverage is the rule-of-thumb pipeline coverage, the inverse of a ~33% win rate.
const classicCoverage = 3.0

// runForecast forecasts every rep's, team's and the firm's period and stores the run as a snapshot.
func runForecast(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "forecast", "forecast [--firm F] [--period YYYY-MM|YYYY-Qn] [--as-of TIME] [--refit] [--format table|json|csv] [store flags]",
		"Forecasts the period for every rep, team and the firm on the data known at --as-of: the forecast as\n"+
			"closed won so far + what the deals open now add + what new business adds, with an 80% interval; the\n"+
			"open pipeline closing in the period, quota attainment, coverage against the classic 3x line and the coverage each rep\n"+
			"really needs, the gap and what it takes to close it. Uses the latest recipe fitted as of --as-of\n"+
			"(fitting one when there is none, or with --refit). Every run is stored as a snapshot.")
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm")
	periodFlag := fs.String("period", "", "period: YYYY-MM, YYYY-Qn or YYYY-Wnn; default the month of --as-of")
	asOfFlag := fs.String("as-of", "", "forecast on the data known at this time: RFC 3339 or YYYY-MM-DD (00:00 UTC); default now")
	refit := fs.Bool("refit", false, "fit a new recipe on the data known at --as-of instead of reading the stored one")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	asOf, err := parseAsOf(*asOfFlag, e.now)
	if err != nil {
		return usageErr(e, "forecast", "%v", err)
	}
	period := salesrecipe.NewPeriod(salesrecipe.GrainMonth, asOf)
	if *periodFlag != "" {
		if period, err = salesrecipe.ParsePeriod(*periodFlag); err != nil {
			return usageErr(e, "forecast", "--period: %v", err)
		}
	}
	if err := checkFormat(e, "forecast", *format, "table", "json", "csv"); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "forecast")
	if err != nil {
		return err
	}
	defer st.Close()
	if *asOfFlag == "" && *periodFlag == "" {
		if err := hintOldData(ctx, e, st, *firm, period, asOf); err != nil {
			return err
		}
	}
	fc := &forecast.Forecaster{Store: st, Now: e.now}
	out, err := fc.Forecast(ctx, forecast.Request{Firm: *firm, Period: period, AsOf: asOf, Refit: *refit})
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return writeJSON(e.stdout, out)
	case "csv":
		return writeForecastCSV(e.stdout, out)
	}
	return printForecast(e.stdout, out)
}

// hintOldData tells on stderr, when a forecast runs with no --as-of and no --period on a firm whose data
// ended a whole month or more ago, that the period it forecasts holds none of the data, and how to forecast
// within it: the default stays now, as a live forecast should, but a table of zeros must not pass silently.
func hintOldData(ctx context.Context, e *env, st *queries.Store, firm string, period salesrecipe.Period, now time.Time) error {
	end, last, err := dataEnd(ctx, st, firm, salesrecipe.GrainMonth, now)
	if err != nil || end.Equal(now) {
		return err
	}
	mid := salesrecipe.NewPeriod(salesrecipe.GrainMonth, last)
	fmt.Fprintf(e.stderr, "salesrecipe forecast: the data of firm %q ends %s, so %s (as of now) has none of it; "+
		"pass --period and --as-of to forecast within the data, e.g. --period %s --as-of %s\n",
		firm, last.UTC().Format(time.DateOnly), period, mid, mid.Start.AddDate(0, 0, 14).Format(time.DateOnly))
	return nil
}

// printForecast prints reps, teams, the firm total and the notes as aligned tables.
func printForecast(w io.Writer, fc *forecast.Forecast) error {
	fmt.Fprintf(w, "Forecast of firm %s for %s (%s to %s) as of %s\n", fc.Firm, fc.Period, fc.PeriodStart.Format(time.DateOnly),
		fc.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), fc.AsOf.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "Recipe: %s, fitted %s on the data known at %s%s\n\n", fc.Recipe.Method, fc.Recipe.FittedAt.UTC().Format(time.RFC3339),
		fc.Recipe.AsOf.UTC().Format(time.RFC3339), map[bool]string{true: " (fitted for this forecast)"}[fc.Recipe.Refit])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rep\tname\tteam\tquota\tclosed\t+ pipeline\t+ new business\t= forecast\t80% interval\tattain\topen pipeline\tcoverage\tneeds\t3x line\tgap\twhat it takes\t")
	for _, r := range fc.Reps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.RepID, r.Name, teamName(r.Team), moneyCells(r.Money), takes(r))
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t\t\t\t\t")
	for _, t := range fc.Teams {
		fmt.Fprintf(tw, "team\t%s\t%d %s\t%s\t\n", teamName(t.Team), t.Reps, plural("rep", t.Reps), moneyCells(t.Money))
	}
	fmt.Fprintf(tw, "firm\t%s\t%d %s\t%s\t\n", fc.Firm, fc.FirmTotal.Reps, plural("rep", fc.FirmTotal.Reps), moneyCells(fc.FirmTotal.Money))
	if err := tw.Flush(); err != nil {
		return err
	}
	return printNotes(w, fc)
}

// teamName labels reps without a team.
func teamName(t string) string {
	if t == "" {
		return "(no team)"
	}
	return t
}

// moneyCells renders the money columns of a row, tab-separated: closed won, the pipeline and
// new-business parts and the forecast they add up to, then the open pipeline and the ratios.
func moneyCells(m forecast.Money) string {
	line := "-"
	if m.Coverage != nil {
		line = map[bool]string{true: "above", false: "below"}[*m.Coverage >= classicCoverage]
	}
	return strings.Join([]string{optMoney(m.Quota), money(m.ClosedWon), money(m.FromPipeline), money(m.FromNewBusiness),
		money(m.Forecast), money(m.Low) + "-" + money(m.High), percent(m.Attainment), money(m.PipelineOpen), times(m.Coverage), times(m.RequiredCoverage),
		line, optMoney(m.Gap)}, "\t")
}

// optMoney renders an optional amount, "-" when undefined.
func optMoney(v *float64) string {
	if v == nil {
		return "-"
	}
	return money(*v)
}

// percent renders an optional ratio as a percentage.
func percent(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100**v)
}

// times renders an optional coverage as 2.5x.
func times(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1fx", *v)
}

// takes renders what it takes, or why there is nothing to say.
func takes(r forecast.RepRow) string {
	if r.Gap == nil || *r.Gap <= 0 {
		return ""
	}
	var acts []string
	pipe := ""
	for _, n := range r.WhatItTakes {
		switch {
		case n.Kind == forecast.KindPipeline && !n.OutOfReach:
			pipe = "+" + money(n.Additional) + " pipeline"
		case n.Kind != forecast.KindPipeline && !n.OutOfReach && n.Additional > 0:
			acts = append(acts, fmt.Sprintf("+%.0f %s", n.Additional, n.Kind))
		}
	}
	switch {
	case len(acts) > 0 && pipe != "":
		return strings.Join(acts, ", ") + " or " + pipe
	case len(acts) > 0:
		return strings.Join(acts, ", ")
	case pipe != "" && activityOutOfReach(r.WhatItTakes):
		return pipe + " (activity alone: out of reach this period)"
	case pipe != "":
		return pipe
	}
	return "out of reach this period"
}

// activityOutOfReach reports whether the activity lever was judged out of reach.
func activityOutOfReach(needs []forecast.Need) bool {
	for _, n := range needs {
		if n.Kind != forecast.KindPipeline && n.OutOfReach {
			return true
		}
	}
	return false
}

// printNotes prints the firm's and each rep's labels.
func printNotes(w io.Writer, fc *forecast.Forecast) error {
	var lines []string
	lines = append(lines, fc.Notes...)
	for _, r := range fc.Reps {
		if len(r.Notes) > 0 {
			lines = append(lines, r.RepID+": "+strings.Join(r.Notes, "; "))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nNotes:")
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
	return nil
}

// writeForecastCSV writes one row per rep, team and the firm.
func writeForecastCSV(w io.Writer, fc *forecast.Forecast) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"level", "rep_id", "name", "team", "quota", "closed_won", "pipeline_open", "pipeline_weighted", "from_pipeline", "from_new_business",
		"forecast", "low", "high",
		"attainment", "coverage", "required_coverage", "gap", "recipe_from_done", "recipe_from_expected", "recipe_baseline",
		"pipeline_pulled_in", "what_it_takes", "notes"})
	for _, r := range fc.Reps {
		cw.Write(append(csvRow("rep", r.RepID, r.Name, r.Team, r.Money, r.Parts), csvNeeds(r.WhatItTakes), strings.Join(r.Notes, "; ")))
	}
	for _, t := range fc.Teams {
		cw.Write(append(csvRow("team", "", "", t.Team, t.Money, t.Parts), "", ""))
	}
	cw.Write(append(csvRow("firm", "", fc.Firm, "", fc.FirmTotal.Money, fc.FirmTotal.Parts), "", strings.Join(fc.Notes, "; ")))
	cw.Flush()
	return cw.Error()
}

// csvRow renders the identity, money and component columns of one row.
func csvRow(level, id, name, team string, m forecast.Money, p forecast.Components) []string {
	row := append([]string{level, id, name, team}, csvMoney(m)...)
	return append(row, num(round2(p.RecipeFromDone)), num(round2(p.RecipeFromExpected)), num(round2(p.RecipeBaseline)), num(round2(p.PipelinePulledIn)))
}

// round2 rounds to cents.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// csvMoney renders the money fields, empty when undefined.
func csvMoney(m forecast.Money) []string {
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return num(*v)
	}
	return []string{opt(m.Quota), num(m.ClosedWon), num(m.PipelineOpen), num(m.PipelineWeighted), num(m.FromPipeline), num(m.FromNewBusiness),
		num(m.Forecast), num(m.Low), num(m.High),
		opt(m.Attainment), opt(m.Coverage), opt(m.RequiredCoverage), opt(m.Gap)}
}

// num renders a number without exponent.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// csvNeeds renders what it takes as kind:N pairs, kind:out_of_reach when out of reach.
func csvNeeds(needs []forecast.Need) string {
	parts := make([]string, 0, len(needs))
	for _, n := range needs {
		v := num(n.Additional)
		if n.OutOfReach {
			v = "out_of_reach"
		}
		parts = append(parts, n.Kind+":"+v)
	}
	return strings.Join(parts, ";")
}
