package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// errUsage marks a command-line mistake; the usage has been printed.
var errUsage = errors.New("usage error")

// env is what a subcommand gets from the process: arguments, streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands returns the subcommands by name.
func commands() map[string]command {
	return map[string]command{
		"serve":   {"serve the dashboards, the API and health checks", runServe},
		"migrate": {"create or update the ClickHouse schema", runMigrate},
		"query":   {"run read-only SQL against the store and print the result", runQuery},
		"version": {"print the program version and the ClickHouse engine version", runVersion},
		"status":  {"print the stored rows and time range of each kind", runStatus},
		"demo":    {"generate a demo firm, load it into a fresh embedded store and serve it", runDemo},
		"ingest":  {"load reps, quotas, stages, activities or deals from files, all or nothing", runIngest},
		"quota":   {"set quotas of a month or quarter: one amount for reps, a team or everyone, or a file of amounts", runQuota},
		"synth":   {"write a realistic synthetic firm with a known recipe as CSV files", runSynth},

		"fit":      {"fit the firm's recipe on the data known at a time, store it and print it as advice", runFit},
		"forecast": {"forecast every rep's, team's and the firm's period with intervals, coverage and what it takes", runForecast},
		"backtest": {"score the forecast and simple baselines over past periods, refitting on the data known then", runBacktest},
	}
}

// run dispatches to a subcommand; it is main without the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	if len(args) == 0 {
		usage(stderr, getenv)
		return errUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if c, ok := commands()[rest[0]]; ok {
				return c.run(ctx, e, []string{"-h"})
			}
		}
		usage(stdout, getenv)
		return nil
	}
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "salesrecipe: unknown command %q\n\n", name)
		usage(stderr, getenv)
		return errUsage
	}
	return c.run(ctx, e, rest)
}

// usage prints the list of subcommands and the global configuration.
func usage(w io.Writer, getenv func(string) string) {
	fmt.Fprint(w, "salesrecipe measures the recipe of a sales team and forecasts each rep's period.\n\n")
	fmt.Fprint(w, "Usage:\n  salesrecipe COMMAND [flags] [args]\n\nCommands:\n")
	names := make([]string, 0, len(commands()))
	for n := range commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands()[n].summary)
	}
	fmt.Fprint(w, "  help      show this text, or `help COMMAND` for a command's flags\n\n")
	fmt.Fprint(w, "Every command that reads or writes data takes the store flags:\n")
	fs := flag.NewFlagSet("salesrecipe", flag.ContinueOnError)
	var c storeConfig
	c.register(fs, getenv)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// newFlagSet returns a flag set whose usage names the subcommand and describes it.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: salesrecipe %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; -h prints the usage to stdout and returns errHelp.
func parse(e *env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return errHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

// errHelp reports that help was printed; the command then exits 0.
var errHelp = errors.New("help printed")

// helpOK turns errHelp into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
