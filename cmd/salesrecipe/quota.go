package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
)

const quotaSynopsis = "quota set --period YYYY-MM|YYYY-Qn --amount A [--rep R ...|--team T] [--firm F] [store flags]\n" +
	"       salesrecipe quota set --file FILE [--period YYYY-MM|YYYY-Qn] [--firm F] [store flags]"

// runQuota dispatches the quota verbs; set is the only one.
func runQuota(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "set" {
		return runQuotaSet(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "quota", quotaSynopsis, quotaAbout)
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() == 0 {
		return usageErr(e, "quota", "give a verb: quota set")
	}
	return usageErr(e, "quota", "unknown verb %q (want set)", fs.Arg(0))
}

const quotaAbout = "Sets quotas, through the same all-or-nothing, exactly-once load as `ingest --kind quotas`:\n" +
	"setting the same amount again changes nothing, a new amount replaces the old one for that rep\n" +
	"and period. --period is a month (2017-07) or a quarter (2017-Q3). Without --rep or --team every\n" +
	"rep of the firm's reps file gets --amount; --team picks the reps of that team. --file loads\n" +
	"per-rep amounts from a CSV with columns rep_id, amount and, unless --period is given, period."

// quotaSet is a checked `quota set`: the period and amount for the named reps or team, or a file.
type quotaSet struct {
	period salesrecipe.Period
	amount float64
	reps   []string
	team   string
	file   string
}

// runQuotaSet sets one amount for reps of a period, or loads a file of per-rep amounts.
func runQuotaSet(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "quota set", quotaSynopsis, quotaAbout)
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm the quotas belong to")
	period := fs.String("period", "", "the month (2017-07) or quarter (2017-Q3) of the quotas")
	amount := fs.String("amount", "", "the quota of each rep, such as 100000 or 2500.50")
	var reps stringsFlag
	fs.Var(&reps, "rep", "a rep_id to set (repeatable; default every rep of the firm)")
	team := fs.String("team", "", "set the quota of every rep of this team")
	file := fs.String("file", "", "CSV of per-rep amounts: rep_id, amount and, without --period, period")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	set, err := checkQuotaSet(*firm, *period, *amount, reps, *team, *file, fs.Args())
	if err != nil {
		return usageErr(e, "quota set", "%v", err)
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "quota set")
	if err != nil {
		return err
	}
	defer st.Close()
	job := ingest.Job{Firm: *firm, Kind: ingest.KindQuotas, Format: ingest.FormatCSV, Logger: log}
	if set.file != "" {
		return loadQuotaFile(ctx, e, st, job, set)
	}
	chosen, err := quotaReps(ctx, st, *firm, set)
	if err != nil {
		return err
	}
	input := ingest.Input{Name: "quota set", R: bytes.NewReader(quotaCSV(chosen, set))}
	fmt.Fprintf(e.stdout, "quota set: %s %s for %d %s (%s)\n", set.period, amountText(set.amount),
		len(chosen), plural("rep", len(chosen)), whoseQuotas(*firm, set))
	return loadAndReport(ctx, e, st, job, []ingest.Input{input})
}

// checkQuotaSet checks the flags of `quota set` before anything is opened.
func checkQuotaSet(firm, period, amount string, reps []string, team, file string, rest []string) (quotaSet, error) {
	set := quotaSet{reps: reps, team: team, file: file}
	switch {
	case len(rest) > 0:
		return set, fmt.Errorf("unexpected argument %q (a file goes with --file)", rest[0])
	case firm == "":
		return set, errors.New("--firm must not be empty")
	case len(reps) > 0 && team != "":
		return set, errors.New("give --rep or --team, not both")
	case file != "" && (amount != "" || len(reps) > 0 || team != ""):
		return set, errors.New("--file holds the reps and amounts; it does not go with --amount, --rep or --team")
	case file == "" && period == "":
		return set, errors.New("--period is required (a month such as 2017-07 or a quarter such as 2017-Q3)")
	case file == "" && amount == "":
		return set, errors.New("--amount is required")
	}
	if i := slices.IndexFunc(reps, func(r string) bool { return strings.TrimSpace(r) == "" }); i >= 0 {
		return set, fmt.Errorf("--rep number %d is empty", i+1)
	}
	if period != "" {
		p, err := salesrecipe.ParsePeriod(period)
		if err != nil {
			return set, fmt.Errorf("--period: %w", err)
		}
		if p.Grain == salesrecipe.GrainWeek {
			return set, fmt.Errorf("--period %s: quotas are per month or quarter, not week", period)
		}
		set.period = p
	}
	if file != "" {
		return set, nil
	}
	a, err := ingest.ParseAmount(amount)
	if err != nil {
		return set, fmt.Errorf("--amount: %w", err)
	}
	q := salesrecipe.Quota{RepID: "rep", Period: set.period.Grain, PeriodStart: set.period.Start, Amount: a}
	if err := q.Validate(); err != nil {
		return set, fmt.Errorf("--%w", err)
	}
	set.amount = a
	return set, nil
}

// quotaReps picks the reps a `quota set` gives the amount: those named, those of the team, or every rep of the firm.
func quotaReps(ctx context.Context, st *queries.Store, firm string, set quotaSet) ([]string, error) {
	if len(set.reps) > 0 {
		return set.reps, nil
	}
	reps, err := st.Reps(ctx, firm)
	if err != nil {
		return nil, err
	}
	var ids, teams []string
	for _, r := range reps {
		if set.team == "" || r.Team == set.team {
			ids = append(ids, r.ID)
		}
		if r.Team != "" && !slices.Contains(teams, r.Team) {
			teams = append(teams, r.Team)
		}
	}
	switch {
	case len(reps) == 0:
		return nil, fmt.Errorf("firm %s has no reps loaded: name them with --rep, or load a reps file first (ingest --kind reps)", firm)
	case len(ids) == 0 && len(teams) == 0:
		return nil, fmt.Errorf("--team %s: the reps of firm %s have no team (the reps file's team column is empty)", set.team, firm)
	case len(ids) == 0:
		slices.Sort(teams)
		return nil, fmt.Errorf("--team %s: no rep of firm %s is in that team (teams: %s)", set.team, firm, strings.Join(teams, ", "))
	}
	return ids, nil
}

// whoseQuotas says which reps a `quota set` chose.
func whoseQuotas(firm string, set quotaSet) string {
	switch {
	case len(set.reps) > 0:
		return "named with --rep"
	case set.team != "":
		return "team " + set.team + " of firm " + firm
	}
	return "every rep of firm " + firm
}

// amountText renders an amount with thousands separators and cents, as 100,000.00.
func amountText(v float64) string {
	whole, cents, _ := strings.Cut(strconv.FormatFloat(v, 'f', 2, 64), ".")
	return groupDigits(whole) + "." + cents
}

// quotaCSV writes the chosen reps' quotas as a quotas file: rep_id, period, amount.
func quotaCSV(reps []string, set quotaSet) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"rep_id", "period", "amount"})
	for _, r := range reps {
		_ = w.Write([]string{strings.TrimSpace(r), set.period.String(), strconv.FormatFloat(set.amount, 'f', -1, 64)})
	}
	w.Flush()
	return b.Bytes()
}

// loadQuotaFile loads a CSV of per-rep amounts, with --period as the period of every row when given.
func loadQuotaFile(ctx context.Context, e *env, st *queries.Store, job ingest.Job, set quotaSet) error {
	if set.period.Grain != "" {
		job.Constants = []ingest.Constant{{Field: "period", Value: set.period.String()}}
	}
	inputs, closeAll, err := openInputs(e, []string{set.file})
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	defer closeAll()
	return loadAndReport(ctx, e, st, job, inputs)
}
