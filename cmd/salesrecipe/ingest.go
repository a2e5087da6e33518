package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
)

// runIngest loads files of one kind into the store, all or nothing.
func runIngest(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "ingest", "ingest --kind reps|quotas|stages|activities|deals [--firm F] [--mapping NAME|FILE] [--set FIELD=VALUE]... [--default FIELD=VALUE]... [--format auto|csv|ndjson|json] [--timezone TZ] [--skip-invalid --rejects FILE] [store flags] FILE... | -",
		"Loads reps, quotas, stages, activities or deals from CSV, NDJSON or JSON files (optionally gzipped),\n"+
			"or from standard input with -. Every row is checked first: by default one invalid row means nothing\n"+
			"is written and the errors name file, line, column, value and reason. With --skip-invalid the valid\n"+
			"rows load and each invalid row goes to --rejects as a JSON line {source, line, reason, raw}.\n"+
			"Loading the same rows again changes nothing. --mapping reads CRM exports: salesforce, hubspot, a\n"+
			"built-in mapping name such as hubspot-deals, or a YAML mapping file (see ingest/mappings/README.md).\n"+
			"--set FIELD=VALUE (repeatable) gives a field one value on every row, over the mapping or the file,\n"+
			"e.g. --kind quotas --set period=2017-Q3 for a file of rep_id,amount. --default FIELD=VALUE gives it\n"+
			"that value only where the mapping leaves it empty, e.g. --default updated_at=2017-12-31 (the export\n"+
			"date) for the open deals of a snapshot whose mapping takes updated_at from close_date.")
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm the rows belong to")
	kind := fs.String("kind", "", "what the files hold: reps, quotas, stages, activities or deals")
	mapping := fs.String("mapping", "", "mapping of a CRM export: salesforce, hubspot, a built-in name, or a YAML file")
	var set, defaults stringsFlag
	fs.Var(&set, "set", "FIELD=VALUE: the field's value on every row, over the mapping (repeatable)")
	fs.Var(&defaults, "default", "FIELD=VALUE: the field's value where the mapping leaves it empty (repeatable)")
	format := fs.String("format", "auto", "input format: auto, csv, ndjson or json")
	tz := fs.String("timezone", "UTC", "time zone of times written without one")
	skip := fs.Bool("skip-invalid", false, "load the valid rows and write the invalid ones to --rejects")
	rejects := fs.String("rejects", "", "file that receives invalid rows with --skip-invalid")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	job, err := ingestJob(*firm, *kind, *mapping, *format, *tz, *skip, *rejects, fs.NArg())
	if err == nil {
		job.Constants, err = ingestConstants(job.Kind, set, defaults)
	}
	if err != nil {
		return usageErr(e, "ingest", "%v", err)
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	inputs, closeAll, err := openInputs(e, fs.Args())
	if err != nil {
		return err
	}
	defer closeAll()
	if *rejects != "" {
		f, err := os.Create(*rejects)
		if err != nil {
			return fmt.Errorf("--rejects: %w", err)
		}
		defer f.Close()
		job.Rejects = f
	}
	st, err := c.open(ctx, log, "ingest")
	if err != nil {
		return err
	}
	defer st.Close()
	job.Logger = log
	return loadAndReport(ctx, e, st, job, inputs)
}

// loadAndReport runs a load with a progress bar and prints what it did; invalid rows exit 1.
func loadAndReport(ctx context.Context, e *env, st *queries.Store, job ingest.Job, inputs []ingest.Input) error {
	bar := newProgressBar(e.stderr)
	job.Progress = bar.update
	res, err := ingest.Run(ctx, st, job, inputs)
	bar.done()
	printIngestSummary(e, job, res)
	if errors.Is(err, ingest.ErrInvalid) {
		fmt.Fprintln(e.stderr, err)
		return exitError{code: 1}
	}
	return err
}

// ingestJob checks the flags and builds the job.
func ingestJob(firm, kind, mapping, format, tz string, skip bool, rejects string, nargs int) (ingest.Job, error) {
	var job ingest.Job
	k, err := ingest.ParseKind(kind)
	if err != nil {
		return job, fmt.Errorf("--kind: %w", err)
	}
	f, err := ingest.ParseFormat(format)
	if err != nil {
		return job, fmt.Errorf("--format: %w", err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return job, fmt.Errorf("--timezone %q: %w", tz, err)
	}
	switch {
	case nargs == 0:
		return job, errors.New("give one or more files, or - for standard input")
	case rejects != "" && !skip:
		return job, errors.New("--rejects goes with --skip-invalid")
	case skip && rejects == "":
		return job, errors.New("--skip-invalid needs --rejects FILE, so no row is lost")
	case firm == "":
		return job, errors.New("--firm must not be empty")
	}
	return ingest.Job{Firm: firm, Kind: k, Mapping: mapping, Format: f, Location: loc, SkipInvalid: skip}, nil
}

// stringsFlag is a flag that may be given several times; it keeps every value in order.
type stringsFlag []string

// String joins the values with commas.
func (f *stringsFlag) String() string { return strings.Join(*f, ",") }

// Set appends one value.
func (f *stringsFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}

// openInputs opens the named files, or standard input for "-".
func openInputs(e *env, names []string) ([]ingest.Input, func(), error) {
	var inputs []ingest.Input
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, name := range names {
		if name == "-" {
			inputs = append(inputs, ingest.Input{Name: "stdin", R: e.stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		files = append(files, f)
		var size int64
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		inputs = append(inputs, ingest.Input{Name: name, R: f, Size: size})
	}
	return inputs, closeAll, nil
}

// printDealHistory says what the store completed of the deals' history.
func printDealHistory(e *env, res ingest.Result) {
	if res.NoCreated > 0 {
		fmt.Fprintf(e.stdout, "deals: %s %s had no created_at; their first known time was used\n",
			thousands(res.NoCreated), plural("deal", int(res.NoCreated)))
	}
	if res.Inferred > 0 {
		fmt.Fprintf(e.stdout, "deals: %s %s known by one row only were open before it: stored as inferred versions "+
			"(stage %s, no expected close date, amount unknown) from their created_at\n",
			thousands(res.Inferred), plural("deal", int(res.Inferred)), salesrecipe.UnknownStage)
	}
	if res.Superseded > 0 {
		fmt.Fprintf(e.stdout, "deals: recorded versions replaced the inferred ones of %s %s\n",
			thousands(res.Superseded), plural("deal", int(res.Superseded)))
	}
}

// printIngestSummary writes the one-line summary and any warning.
func printIngestSummary(e *env, job ingest.Job, res ingest.Result) {
	secs := res.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(res.Read) / secs
	}
	fmt.Fprintf(e.stdout, "%s: read %s, loaded %s, rejected %s, duplicates %s in %.1f s (%s rows/s)\n",
		job.Kind, thousands(res.Read), thousands(res.Loaded), thousands(res.Rejected), thousands(res.Duplicates),
		secs, thousands(int64(rate)))
	if res.Skipped > 0 {
		fmt.Fprintf(e.stdout, "%s: the mapping's keep_when rules left out %s more %s (not counted as read)\n",
			job.Kind, thousands(res.Skipped), plural("row", int(res.Skipped)))
	}
	printDealHistory(e, res)
	if res.UnknownRepRows > 0 {
		fmt.Fprintf(e.stderr, "warning: %s %s belong to %s reps that no reps file names; they are loaded (reps may arrive later)\n",
			thousands(res.UnknownRepRows), job.Kind, thousands(res.UnknownReps))
	}
}

// thousands formats n with commas.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + groupDigits(s[1:])
	}
	return groupDigits(s)
}

// groupDigits inserts a comma before every third digit from the right of an unsigned digit string.
func groupDigits(s string) string {
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// progressBar draws load progress on a terminal and nothing elsewhere.
type progressBar struct {
	w     io.Writer
	on    bool
	drawn bool
}

// newProgressBar draws only when w is a terminal.
func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progressBar{w: w, on: on}
}

// update redraws the bar: rows, rows/s, bytes and the time left when the size is known.
func (p *progressBar) update(pr ingest.Progress) {
	if !p.on {
		return
	}
	secs := pr.Elapsed.Seconds()
	line := fmt.Sprintf("\r%s rows  %s rows/s  %.1f MB", thousands(pr.Rows), thousands(int64(float64(pr.Rows)/max(secs, 0.001))), float64(pr.Bytes)/1e6)
	if pr.TotalBytes > 0 && pr.Bytes > 0 {
		frac := min(float64(pr.Bytes)/float64(pr.TotalBytes), 1)
		eta := time.Duration(secs/frac*(1-frac)) * time.Second
		line += fmt.Sprintf(" of %.1f MB  %3.0f%%  ETA %s", float64(pr.TotalBytes)/1e6, 100*frac, eta.Round(time.Second))
	}
	fmt.Fprintf(p.w, "%-100s", line)
	p.drawn = true
}

// done ends the bar's line.
func (p *progressBar) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// ingestConstants reads --set and --default; a field may take only one of them.
func ingestConstants(kind ingest.Kind, set, defaults []string) ([]ingest.Constant, error) {
	cs, err := ingest.ParseConstants(kind, set)
	if err != nil {
		return nil, err
	}
	ds, err := ingest.ParseDefaults(kind, defaults)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if slices.ContainsFunc(cs, func(c ingest.Constant) bool { return c.Field == d.Field }) {
			return nil, fmt.Errorf("--default %s=%s: %s is also given with --set", d.Field, d.Value, d.Field)
		}
	}
	return append(cs, ds...), nil
}
