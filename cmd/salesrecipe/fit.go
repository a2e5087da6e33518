package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/model"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// runFit fits the firm's recipe on the data known at --as-of, stores it and prints it.
func runFit(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "fit", "fit [--firm F] [--grain month|week|quarter] [--as-of TIME] [--format table|json] [store flags]",
		"Fits the firm's recipe (what one more activity of each kind is worth in won revenue and over which\n"+
			"delay it lands), its stage model and the forecast combination, on the data known at --as-of only:\n"+
			"the complete periods before the as-of period. Stores the fit (every fit is kept) and prints it.\n"+
			"A firm without activity rows learns from new_opportunity, the deals each rep created per period.\n"+
			"Without --as-of it fits on the data's own span when the data ended in the past, and says so.\n"+
			"Too little history is refused with a message that says what is missing; a fit in which no activity\n"+
			"kind has a measurable effect is reported as no measurable recipe, with the reason, and not stored.")
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm")
	grainFlag := fs.String("grain", "month", "period length: month, week or quarter (a quarter fits the monthly model, which quarters are forecast from)")
	asOfFlag := fs.String("as-of", "", "fit on the data known at this time: RFC 3339 or YYYY-MM-DD (00:00 UTC); default now, or the\n"+
		"end of the data's last period when a whole period has passed since its last record")
	format := fs.String("format", "table", "output format: table or json")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	grain, err := salesrecipe.ParseGrain(*grainFlag)
	if err != nil {
		return usageErr(e, "fit", "--grain: %v", err)
	}
	fitGrain := grain // a quarter fits the monthly model with its quarter levels
	if g := forecast.ModelGrain(grain); g != grain {
		fmt.Fprintf(e.stderr, "salesrecipe fit: a %s is forecast as the sum of its %ss from the %sly model; fitting the %sly model\n", grain, g, g, g)
		grain = g
	}
	asOf, err := parseAsOf(*asOfFlag, e.now)
	if err != nil {
		return usageErr(e, "fit", "%v", err)
	}
	if err := checkFormat(e, "fit", *format, "table", "json"); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "fit")
	if err != nil {
		return refitHint(err, *firm, e.getenv)
	}
	defer st.Close()
	if *asOfFlag == "" {
		if asOf, err = dataAsOf(ctx, e, st, *firm, grain, asOf); err != nil {
			return err
		}
	}
	view, err := fitAndSave(ctx, e, st, *firm, fitGrain, asOf)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(e.stdout, view)
	}
	return printRecipe(e.stdout, view, grain)
}

// refitHint turns "the data directory is held by a running serve" into how to ask that serve
// for the refit instead; other errors are returned as they are.
func refitHint(err error, firm string, getenv func(string) string) error {
	var busy *chdb.BusyError
	if !errors.As(err, &busy) {
		return err
	}
	args := strings.Fields(busy.Holder)
	if !slices.Contains(args, "serve") {
		return err
	}
	addr := holderAddr(args, orDefault(getenv("SALESRECIPE_ADDR"), "127.0.0.1:8080"))
	return exitError{code: 1, msg: fmt.Sprintf("the data directory %s is held by a running `serve` (%s), which refits every firm "+
		"in the background daily and a few minutes after each API load. Ask it to refit firm %q now, with an admin's token:\n"+
		"  curl -X POST -H \"Authorization: Bearer $ADMIN_TOKEN\" \"http://%s/api/v1/fit?firm=%s\"\n"+
		"and read the new fit's fitted_at from GET /api/v1/recipe once it is stored (a serve started with --refit-every 0 answers 503)",
		busy.Dir, busy.Holder, firm, addr, url.QueryEscape(firm))}
}

// holderAddr returns the --addr (or -addr) of a serve command line, or def when it has none.
func holderAddr(args []string, def string) string {
	for i, a := range args {
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "addr" {
			continue
		}
		if hasVal {
			return val
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

// usageErr prints a command-line mistake and returns errUsage.
func usageErr(e *env, cmd, format string, args ...any) error {
	fmt.Fprintf(e.stderr, "salesrecipe %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

// checkFormat returns a usage error naming the allowed values unless got is one of them.
func checkFormat(e *env, cmd, got string, allowed ...string) error {
	if slices.Contains(allowed, got) {
		return nil
	}
	want := allowed[len(allowed)-1]
	if n := len(allowed); n > 1 {
		want = strings.Join(allowed[:n-1], ", ") + " or " + want
	}
	return usageErr(e, cmd, "--format %q: want %s", got, want)
}

// fitAndSave fits the firm's recipe on the data known at asOf, stores the fit and returns its view.
func fitAndSave(ctx context.Context, e *env, st *queries.Store, firm string, grain salesrecipe.Grain, asOf time.Time) (forecast.Recipe, error) {
	f := &forecast.Fitter{Store: st, Now: e.now}
	m, err := f.Fit(ctx, firm, grain, asOf)
	if err != nil {
		return forecast.Recipe{}, thinMessage(err, firm, asOf)
	}
	if err := f.Save(ctx, m); err != nil {
		return forecast.Recipe{}, err
	}
	view, _ := m.View()
	return view, nil
}

// dataAsOf returns now, or the end of the period holding the firm's last activity or deal change when a whole
// period or more has passed since without data: fitting on today would count those empty periods as real
// ones with no activity and no revenue. It tells on stderr when it moves the moment.
func dataAsOf(ctx context.Context, e *env, st *queries.Store, firm string, grain salesrecipe.Grain, now time.Time) (time.Time, error) {
	end, last, err := dataEnd(ctx, st, firm, grain, now)
	if err != nil || end.Equal(now) {
		return end, err
	}
	fmt.Fprintf(e.stderr, "salesrecipe fit: the data of firm %q ends %s; fitting on its own span, as of %s (not now, %s); "+
		"pass --as-of to choose the moment\n", firm, last.UTC().Format(time.DateOnly), end.Format(time.DateOnly), now.Format(time.DateOnly))
	return end, nil
}

// dataEnd returns now, or, when a whole period or more has passed since the firm's last activity or deal
// change, the end of the period holding it; last is that change (zero without data).
func dataEnd(ctx context.Context, st *queries.Store, firm string, grain salesrecipe.Grain, now time.Time) (end, last time.Time, err error) {
	status, err := st.Status(ctx, firm)
	if err != nil {
		return now, last, fmt.Errorf("data span of firm %q: %w", firm, err)
	}
	for _, ks := range status {
		if (ks.Kind == queries.KindActivities || ks.Kind == queries.KindDeals) && ks.Last != nil && ks.Last.After(last) {
			last = *ks.Last
		}
	}
	if last.IsZero() {
		return now, last, nil
	}
	end = salesrecipe.NewPeriod(grain, last).End()
	if !end.Before(salesrecipe.NewPeriod(grain, now).Start) {
		return now, last, nil
	}
	return end, last, nil
}

// thinHint says what to do about too little history.
const thinHint = "load more history (activities, or deals with their created_at and closed_at) or fit at a later --as-of; " +
	"forecast still answers from closed won and the pipeline"

// thinMessage turns a thin-data error into a sentence that says what is missing.
func thinMessage(err error, firm string, asOf time.Time) error {
	var thin *model.ThinDataError
	if !errors.As(err, &thin) {
		return err
	}
	if thin.Reason != "" {
		return exitError{code: 1, msg: fmt.Sprintf("no measurable recipe for firm %q as of %s: %s; nothing stored",
			firm, asOf.UTC().Format(time.RFC3339), thin.Reason)}
	}
	return exitError{code: 1, msg: fmt.Sprintf("not enough data to fit a recipe for firm %q as of %s: the data has %d %s, a fit needs at least %d; %s",
		firm, asOf.UTC().Format(time.RFC3339), thin.Have, thin.What, thin.Need, thinHint)}
}

// parseAsOf reads RFC 3339, a date-time without zone (UTC) or a date (00:00 UTC); empty means now.
func parseAsOf(s string, now func() time.Time) (time.Time, error) {
	if s == "" {
		return now().UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--as-of %q: want RFC 3339 (2026-06-15T12:00:00Z) or a date (2026-06-15)", s)
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printRecipe prints the recipe as advice, one line per activity kind.
func printRecipe(w io.Writer, r forecast.Recipe, grain salesrecipe.Grain) error {
	fmt.Fprintf(w, "Recipe of firm %s, fitted on %s to %s (%d rep-%ss): %s, R² %.2f, out-of-sample WAPE %.0f%%\n\n",
		r.Firm, r.DataFrom.Format(time.DateOnly), r.DataTo.AddDate(0, 0, -1).Format(time.DateOnly), r.Observations, grain,
		r.Method, r.R2, 100*r.CVWAPE)
	bySource := false
	for _, k := range r.Kinds {
		fmt.Fprintln(w, adviceLine(k, grain))
		if k.Kind == forecast.NewOpportunityKind {
			fmt.Fprintf(w, "  (%s: the deals a rep created in a %s; the firm has no activity rows, so the recipe learns from its deals)\n", k.Kind, grain)
		}
		bySource = bySource || k.Kind != forecast.NewOpportunityKind && forecast.IsNewOpportunityKind(k.Kind)
	}
	if bySource {
		fmt.Fprintf(w, "  (a new <source> opportunity is input %s:<source>, the deals of that source a rep created in a %s, from the deals' source column;\n"+
			"  the firm has no activity rows, so the recipe learns from its deals)\n", forecast.NewOpportunityKind, grain)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// kindLabel names an input in advice: a per-source new-opportunity kind as "new inbound opportunity",
// any other kind as itself.
func kindLabel(kind string) string {
	if src, ok := strings.CutPrefix(kind, forecast.NewOpportunityKind+":"); ok {
		return "new " + src + " opportunity"
	}
	return kind
}

// adviceLine reads "1 demo ~ $1,260 of won revenue within 3 months (80% CI $1,050-$1,480)".
func adviceLine(k forecast.KindRecipe, grain salesrecipe.Grain) string {
	if k.ValuePerActivity <= 0 {
		return fmt.Sprintf("1 %s ~ no measurable won revenue (80%% CI %s-%s)", kindLabel(k.Kind), money(k.CILow), money(k.CIHigh))
	}
	within := landsWithin(k.Lags)
	return fmt.Sprintf("1 %s ~ %s of won revenue within %d %s (80%% CI %s-%s)%s", kindLabel(k.Kind), money(k.ValuePerActivity),
		within, plural(string(grain), within), money(k.CILow), money(k.CIHigh), lagProfile(k.Lags, grain))
}

// landsWithin returns the number of periods by which 90% of the value has landed.
func landsWithin(lags []forecast.LagShare) int {
	cum := 0.0
	for _, l := range lags {
		cum += l.Share
		if cum >= 0.9 {
			return l.Lag + 1
		}
	}
	return len(lags)
}

// lagProfile renders the shares landing in the first periods, e.g. "; 55% this month, 30% the next".
func lagProfile(lags []forecast.LagShare, grain salesrecipe.Grain) string {
	var parts []string
	for _, l := range lags {
		if l.Share < 0.05 {
			continue
		}
		when := fmt.Sprintf("%d %s later", l.Lag, plural(string(grain), l.Lag))
		switch l.Lag {
		case 0:
			when = "the same " + string(grain)
		case 1:
			when = "the next"
		}
		parts = append(parts, fmt.Sprintf("%.0f%% %s", 100*l.Share, when))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// plural returns word with an s unless n is 1.
func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// money renders an amount as $1,234 (whole units).
func money(v float64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return sign + "$" + groupDigits(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
}

// fitAndForecastDemo fits and stores the demo firm's recipe, forecasts this month and prints both.
func fitAndForecastDemo(ctx context.Context, e *env, st *queries.Store, firm string) error {
	now := e.now().UTC()
	view, err := fitAndSave(ctx, e, st, firm, salesrecipe.GrainMonth, now)
	if err != nil {
		return err
	}
	if err := printRecipe(e.stdout, view, salesrecipe.GrainMonth); err != nil {
		return err
	}
	fc := &forecast.Forecaster{Store: st, Now: e.now}
	out, err := fc.Forecast(ctx, forecast.Request{Firm: firm, Period: salesrecipe.NewPeriod(salesrecipe.GrainMonth, now), AsOf: now})
	if err != nil {
		return err
	}
	t := out.FirmTotal
	_, err = fmt.Fprintf(e.stdout, "Forecast for %s as of %s: %s (80%% interval %s-%s), closed so far %s, quota %s, open pipeline %s\n\n",
		out.Period, now.Format(time.RFC3339), money(t.Forecast), money(t.Low), money(t.High), money(t.ClosedWon), optMoney(t.Quota), money(t.PipelineOpen))
	return err
}
