package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/dashboards"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
)

// demoMarker marks a directory the demo created, so it may recreate it.
const demoMarker = ".salesrecipe-demo"

// runDemo generates a demo firm, loads it into a fresh embedded store and serves it.
func runDemo(ctx context.Context, e *env, args []string) error {
	var c serveConfig
	def := synth.DefaultConfig()
	fs := newFlagSet(e, "demo", "demo [--dir DIR] [--addr HOST:PORT] [--reps N] [--months M] [--seed S]",
		"Runs the whole product on a synthetic firm: writes the firm's CSV files, loads them into a fresh\n"+
			"embedded store in DIR (recreated on every run; a directory the demo did not create is never\n"+
			"touched), writes a users file with demo tokens and serves on --addr until interrupted.\n"+
			"The demo always uses the embedded store in its --dir: it ignores --clickhouse, --data and --cluster.")
	c.store.register(fs, e.getenv)
	dir := fs.String("dir", "./demo-data", "directory for the demo's files and store")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to serve HTTP on")
	reps := fs.Int("reps", def.Reps, "reps in the demo firm")
	months := fs.Int("months", def.Months, "months of history, ending this month")
	seed := fs.Int64("seed", def.Seed, "random seed of the demo firm")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	log, err := c.store.logger(e.stderr)
	if err != nil {
		return err
	}
	if err := freshDemoDir(*dir); err != nil {
		return err
	}
	c.store.dsn, c.store.dataDir, c.store.cluster = "", filepath.Join(*dir, "store"), ""
	cfg := def
	cfg.Reps, cfg.Months, cfg.Seed, cfg.End = *reps, *months, *seed, e.now().UTC()
	truth, err := synth.WriteDir(ctx, filepath.Join(*dir, "firm"), cfg)
	if err != nil {
		return err
	}
	st, err := c.store.open(ctx, log, "demo")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := loadDemoFirm(ctx, e, st, filepath.Join(*dir, "firm")); err != nil {
		return err
	}
	if err := fitAndForecastDemo(ctx, e, st, "default"); err != nil {
		return err
	}
	if err := saveDemoCalls(ctx, e, st, truth, cfg.Seed); err != nil {
		return err
	}
	users, err := writeDemoUsers(filepath.Join(*dir, "users.yaml"), e, c.addr)
	if err != nil {
		return err
	}
	return serve(ctx, log, c, st, users)
}

// freshDemoDir empties a directory the demo made before, or creates a new one.
func freshDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s is not empty and was not made by `salesrecipe demo`; choose another --dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("created by salesrecipe demo; deleted and recreated on every run\n"), 0o640)
}

// loadDemoFirm loads the five CSV files in order.
func loadDemoFirm(ctx context.Context, e *env, st *queries.Store, dir string) error {
	for _, kind := range ingest.Kinds() {
		f, err := os.Open(filepath.Join(dir, string(kind)+".csv"))
		if err != nil {
			return err
		}
		res, err := ingest.Run(ctx, st, ingest.Job{Firm: "default", Kind: kind}, []ingest.Input{{Name: f.Name(), R: f}})
		f.Close()
		if err != nil {
			return fmt.Errorf("load demo %s: %w", kind, err)
		}
		printIngestSummary(e, ingest.Job{Kind: kind}, res)
	}
	return nil
}

// writeDemoUsers writes a users file with fresh random tokens and prints how to
// use them: the ingest API, and sign-in links for a manager and a rep.
func writeDemoUsers(path string, e *env, addr string) (*dashboards.Users, error) {
	roles := []struct{ name, role, extra string }{
		{"Demo Admin", "admin", ""},
		{"Demo Manager", "manager", ""},
		{"Demo Rep", "rep", "    rep_id: r0002\n"},
		{"Demo Loader", "ingest", ""},
		{"Demo Scraper", "metrics", ""},
	}
	var b strings.Builder
	b.WriteString("# Demo users; tokens are random on every run.\nusers:\n")
	tokens := map[string]string{}
	for _, r := range roles {
		tok, err := randomToken()
		if err != nil {
			return nil, err
		}
		tokens[r.role] = tok
		fmt.Fprintf(&b, "  - name: %s\n    token: %q\n    role: %s\n    firm: default\n%s", r.name, tok, r.role, r.extra)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	base := demoBaseURL(addr)
	fmt.Fprintf(e.stdout, "users file: %s\ningest API: curl -H 'Authorization: Bearer %s' -H 'Content-Type: text/csv' --data-binary @activities.csv %s/api/v1/ingest/activities\n",
		path, tokens["ingest"], base)
	fmt.Fprintf(e.stdout, "manager sign-in: %s/login?token=%s&next=/team\nrep sign-in:     %s/login?token=%s\n",
		base, tokens["manager"], base, tokens["rep"])
	fmt.Fprintf(e.stdout, "metrics:         curl -H 'Authorization: Bearer %s' %s/metrics\n", tokens["metrics"], base)
	return dashboards.LoadUsers(path)
}

// demoBaseURL turns the listen address into a URL a browser on this machine can open.
func demoBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// randomToken returns 32 random hex characters: 128 bits, the least the users file accepts.
func randomToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// demoCallMonths is how many past months the demo's reps and managers have called.
const demoCallMonths = 6

// saveDemoCalls stores simulated forecast calls (synth.SimulateCalls: one sandbagger, one rep with
// happy ears, honest others, managers rolling up their teams) for the last demoCallMonths months,
// called on what each rep won, and for this month, called on the model's forecast; calls dated
// after now are left out. /accuracy then scores them beside the model and the Team page shows them.
func saveDemoCalls(ctx context.Context, e *env, st *queries.Store, truth synth.Truth, seed int64) error {
	now := e.now().UTC()
	current := salesrecipe.NewPeriod(salesrecipe.GrainMonth, now)
	periods := []salesrecipe.Period{current}
	for range demoCallMonths {
		periods = append([]salesrecipe.Period{periods[0].Prev()}, periods...)
	}
	won := map[string]float64{}
	revenue, err := st.WonRevenue(ctx, "default", salesrecipe.GrainMonth, periods[0].Start, current.Start, now)
	if err != nil {
		return err
	}
	for _, r := range revenue {
		won[r.RepID+r.Period.Format(time.DateOnly)] = r.Amount
	}
	fc, err := (&forecast.Forecaster{Store: st, Now: e.now}).Forecast(ctx, forecast.Request{Firm: "default", Period: current, AsOf: now, NoSave: true})
	if err != nil {
		return err
	}
	for _, r := range fc.Reps {
		won[r.RepID+current.Start.Format(time.DateOnly)] = r.Forecast
	}
	calls := synth.SimulateCalls(seed, synth.CallStyles(truth), periods, func(rep string, p salesrecipe.Period) float64 {
		return won[rep+p.Start.Format(time.DateOnly)]
	})
	n := 0
	for _, c := range calls {
		if c.SubmittedAt.After(now) {
			continue
		}
		if err := st.SaveCall(ctx, "default", c); err != nil {
			return err
		}
		n++
	}
	_, err = fmt.Fprintf(e.stdout, "Stored %d simulated forecast calls over %s to %s: rep %s sandbags, rep %s has happy ears\n\n",
		n, periods[0], current, synth.CallStyles(truth)[0].RepID, synth.CallStyles(truth)[1].RepID)
	return err
}
