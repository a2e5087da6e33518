package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// keysOf returns the sorted keys of a JSON object.
func keysOf(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not an object: %v", v)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wantKeys sorts a key list.
func wantKeys(keys ...string) []string {
	sort.Strings(keys)
	return keys
}

// loadedFirm writes a small synthetic firm ending at end, loads it into a fresh data directory and
// returns the store flags.
func loadedFirm(t *testing.T, months int, end string) []string {
	t.Helper()
	return loadedFiles(t, months, end, "reps", "quotas", "stages", "activities", "deals")
}

// loadedFiles is loadedFirm loading only the files of the given kinds.
func loadedFiles(t *testing.T, months int, end string, kinds ...string) []string {
	t.Helper()
	firm := t.TempDir()
	start, _ := time.Parse(time.DateOnly, end)
	start = start.AddDate(0, -months, 0)
	if _, _, err := runCmd(t, nil, "synth", "--out", firm, "--reps", "8", "--months", strconv.Itoa(months), "--start", start.Format(time.DateOnly), "--seed", "2"); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", t.TempDir(), "--log-level", "warn"}
	for _, kind := range kinds {
		if out, stderr, code := runBin(t, nil, append(append([]string{"ingest"}, store...), "--kind", kind, filepath.Join(firm, kind+".csv"))...); code != 0 {
			t.Fatalf("ingest %s: exit %d\n%s%s", kind, code, out, stderr)
		}
	}
	return store
}

func TestFitForecastBacktestCommands(t *testing.T) {
	store := loadedFirm(t, 14, "2026-06-01")
	asOf := []string{"--as-of", "2026-05-16T08:00:00Z"}

	out, stderr, code := runBin(t, nil, append(append([]string{"fit"}, store...), asOf...)...)
	if code != 0 || !strings.Contains(out, "Recipe of firm default") || !strings.Contains(out, " of won revenue within ") && !strings.Contains(out, "no measurable won revenue") {
		t.Fatalf("fit: exit %d\n%s%s", code, out, stderr)
	}
	// No --as-of: the data ended 2026-06-01, months before any clock this test runs at, so the fit
	// takes the data's own span (not empty months up to today) and says so.
	out, stderr, code = runBin(t, nil, append([]string{"fit"}, store...)...)
	if code != 0 || !strings.Contains(out, "to 2026-05-31 (") || !strings.Contains(stderr, "fitting on its own span, as of 2026-06-01") {
		t.Fatalf("fit without --as-of on old data: exit %d\n%s%s", code, out, stderr)
	}
	// No flags at all: the forecast stays a live one (this month, as of now), and says that it holds none of
	// the data and how to forecast within it.
	out, stderr, code = runBin(t, nil, append([]string{"forecast"}, store...)...)
	if code != 0 || !strings.Contains(stderr, `the data of firm "default" ends 2026-05-`) ||
		!strings.Contains(stderr, "e.g. --period 2026-05 --as-of 2026-05-15") || !strings.Contains(out, "Forecast of firm default") {
		t.Fatalf("forecast without flags on old data: exit %d\n%s%s", code, out, stderr)
	}
	// A quarter fits the monthly model it is forecast from, and its forecast mid-quarter has an interval.
	out, stderr, code = runBin(t, nil, append(append([]string{"fit", "--grain", "quarter"}, store...), asOf...)...)
	if code != 0 || !strings.Contains(stderr, "fitting the monthly model") {
		t.Fatalf("fit --grain quarter: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runBin(t, nil, append(append([]string{"forecast", "--format", "json", "--period", "2026-Q2"}, store...), asOf...)...)
	var quarter forecast.Forecast
	if code != 0 || json.Unmarshal([]byte(out), &quarter) != nil || !(quarter.FirmTotal.High > quarter.FirmTotal.Low) ||
		!(quarter.FirmTotal.Forecast > quarter.FirmTotal.ClosedWon) {
		t.Fatalf("forecast --period 2026-Q2: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runBin(t, nil, append(append([]string{"fit", "--format", "json"}, store...), asOf...)...)
	var fit map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &fit) != nil {
		t.Fatalf("fit json: exit %d\n%s%s", code, out, stderr)
	}
	if got := keysOf(t, fit); !reflect.DeepEqual(got, wantKeys("firm", "grain", "fitted_at", "data_from", "data_to", "observations", "method", "r2", "cv_wape", "kinds")) {
		t.Errorf("fit keys %v", got)
	}
	kind := fit["kinds"].([]any)[0]
	if got := keysOf(t, kind); !reflect.DeepEqual(got, wantKeys("kind", "value_per_activity", "ci_low", "ci_high", "lags")) {
		t.Errorf("kind keys %v", got)
	}
	if got := keysOf(t, kind.(map[string]any)["lags"].([]any)[0]); !reflect.DeepEqual(got, wantKeys("lag", "share")) {
		t.Errorf("lag keys %v", got)
	}

	out, stderr, code = runBin(t, nil, append(append([]string{"forecast", "--format", "json", "--period", "2026-05"}, store...), asOf...)...)
	var fc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &fc) != nil {
		t.Fatalf("forecast json: exit %d\n%s%s", code, out, stderr)
	}
	money := []string{"quota", "closed_won", "pipeline_open", "pipeline_weighted", "from_pipeline", "from_new_business", "forecast", "low", "high",
		"attainment", "coverage", "required_coverage", "gap"}
	if got := keysOf(t, fc); !reflect.DeepEqual(got, wantKeys("firm", "period_start", "period_end", "as_of", "reps", "teams", "firm_total")) {
		t.Errorf("forecast keys %v", got)
	}
	rep := fc["reps"].([]any)[0]
	if got := keysOf(t, rep); !reflect.DeepEqual(got, wantKeys(append([]string{"rep_id", "name", "team", "what_it_takes"}, money...)...)) {
		t.Errorf("rep keys %v", got)
	}
	if got := keysOf(t, fc["teams"].([]any)[0]); !reflect.DeepEqual(got, wantKeys(append([]string{"team"}, money...)...)) {
		t.Errorf("team keys %v", got)
	}
	if got := keysOf(t, fc["firm_total"]); !reflect.DeepEqual(got, wantKeys(money...)) {
		t.Errorf("firm keys %v", got)
	}
	for _, r := range append(append([]any{fc["firm_total"]}, fc["teams"].([]any)...), fc["reps"].([]any)...) {
		m := r.(map[string]any)
		cents := func(k string) int64 { return int64(math.Round(m[k].(float64) * 100)) }
		if cents("closed_won")+cents("from_pipeline")+cents("from_new_business") != cents("forecast") {
			t.Errorf("closed + pipeline + new business is not the forecast: %v", m)
		}
	}
	for _, r := range fc["reps"].([]any) {
		for _, n := range r.(map[string]any)["what_it_takes"].([]any) {
			if got := keysOf(t, n); !reflect.DeepEqual(got, wantKeys("kind", "additional")) && !reflect.DeepEqual(got, wantKeys("kind", "additional", "reason")) {
				t.Errorf("what it takes keys %v", got)
			}
		}
	}

	for _, format := range []string{"table", "csv"} {
		out, stderr, code = runBin(t, nil, append(append([]string{"forecast", "--format", format, "--period", "2026-05"}, store...), asOf...)...)
		if code != 0 || !strings.Contains(out, "firm") || !strings.Contains(out, "r0001") {
			t.Fatalf("forecast %s: exit %d\n%s%s", format, code, out, stderr)
		}
	}
	// Every run was stored as a snapshot: the one without flags, the quarter's and three of the month.
	out, _, code = runBin(t, nil, append(append([]string{"query", "--format", "tsv"}, store...), "SELECT uniqExact(created_at) FROM forecast_snapshots WHERE level = 'firm'")...)
	if code != 0 || !strings.Contains(out, "\n5\n") {
		t.Errorf("snapshots of 5 runs: exit %d\n%s", code, out)
	}

	out, stderr, code = runBin(t, nil, append([]string{"backtest", "--format", "json", "--from", "2026-04", "--to", "2026-05", "--points", "2"}, store...)...)
	var bt map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &bt) != nil {
		t.Fatalf("backtest json: exit %d\n%s%s", code, out, stderr)
	}
	if got := keysOf(t, bt); !reflect.DeepEqual(got, wantKeys("firm", "periods", "methods")) || bt["periods"].(float64) != 2 {
		t.Errorf("backtest keys %v periods %v", got, bt["periods"])
	}
	methods := bt["methods"].([]any)
	if len(methods) != 2*len(forecast.Methods()) {
		t.Errorf("%d method rows, want %d", len(methods), 2*len(forecast.Methods()))
	}
	if got := keysOf(t, methods[0]); !reflect.DeepEqual(got, wantKeys("method", "as_of_point", "rep_wape", "team_wape", "bias", "interval_coverage", "team_interval_coverage")) {
		t.Errorf("method keys %v", got)
	}
	out, stderr, code = runBin(t, nil, append([]string{"backtest", "--from", "2026-04", "--to", "2026-05", "--points", "1"}, store...)...)
	if code != 0 || !strings.Contains(out, "stage_weighted") || !strings.Contains(out, "salesrecipe") {
		t.Fatalf("backtest table: exit %d\n%s%s", code, out, stderr)
	}
	// No --to on data that ended months ago: the range ends with the data's last month, not with
	// empty months up to today, and says so.
	out, stderr, code = runBin(t, nil, append([]string{"backtest", "--from", "2026-04", "--points", "1"}, store...)...)
	if code != 0 || !strings.Contains(out, "over 2 periods (2026-04 to 2026-05)") || !strings.Contains(stderr, "backtesting up to 2026-05, its last month") {
		t.Fatalf("backtest without --to on old data: exit %d\n%s%s", code, out, stderr)
	}
}

func TestFitRefusesThinData(t *testing.T) {
	store := loadedFirm(t, 3, "2026-06-01")
	out, stderr, code := runBin(t, nil, append([]string{"fit", "--as-of", "2026-05-20"}, store...)...)
	if code != 1 || !strings.Contains(stderr, "not enough data to fit a recipe") || !strings.Contains(stderr, "needs at least") {
		t.Fatalf("thin fit: exit %d\n%s%s", code, out, stderr)
	}
}

func TestThinMessage(t *testing.T) {
	asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"too little history", &model.ThinDataError{What: "periods with revenue", Have: 3, Need: 6},
			`not enough data to fit a recipe for firm "acme" as of 2026-01-01T00:00:00Z: the data has 3 periods with revenue, a fit needs at least 6; ` + thinHint},
		{"no kind has an effect", &model.ThinDataError{What: model.NoEffectWhat, Need: 1, Reason: "no activity kind predicts won revenue"},
			`no measurable recipe for firm "acme" as of 2026-01-01T00:00:00Z: no activity kind predicts won revenue; nothing stored`},
	}
	for _, tc := range tests {
		var ee exitError
		if err := thinMessage(fmt.Errorf("fit: %w", tc.err), "acme", asOf); !errors.As(err, &ee) || ee.msg != tc.want || ee.code != 1 {
			t.Errorf("%s: %v, want exit 1 with %q", tc.name, err, tc.want)
		}
	}
}

func TestFitWithoutFlagsOnEmptyData(t *testing.T) {
	out, stderr, code := runBin(t, nil, "fit", "--data", t.TempDir(), "--log-level", "warn")
	if code != 1 || !strings.Contains(stderr, "not enough data to fit a recipe") || out != "" {
		t.Fatalf("fit on empty data: exit %d\n%s%s", code, out, stderr)
	}
}

func TestForecastFlagMistakes(t *testing.T) {
	tests := [][]string{
		{"fit", "--grain", "day"},
		{"fit", "--as-of", "yesterday"},
		{"forecast", "--period", "2026-13"},
		{"forecast", "--format", "xml"},
		{"backtest", "--from", "2026-05", "--to", "2026-Q1"},
		{"backtest", "--from", "2026-06", "--to", "2026-05"},
		{"backtest", "--points", "0"},
	}
	for _, args := range tests {
		_, stderr, err := runCmd(t, nil, args...)
		if exitCode(err) != 2 || !strings.Contains(stderr, "salesrecipe "+args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, exitCode(err), stderr)
		}
	}
}

// sampleForecast is a fixed forecast for the rendering golden files.
func sampleForecast() *forecast.Forecast {
	p, _ := salesrecipe.ParsePeriod("2026-05")
	q := func(v float64) *float64 { return &v }
	return &forecast.Forecast{Firm: "acme", Period: p, PeriodStart: p.Start, PeriodEnd: p.End(), AsOf: time.Date(2026, 5, 16, 8, 0, 0, 0, time.UTC),
		Recipe: forecast.RecipeRef{Method: "adstock", FittedAt: time.Date(2026, 5, 16, 8, 1, 0, 0, time.UTC), AsOf: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		Reps: []forecast.RepRow{
			{RepID: "r1", Name: "Ann", Team: "East", Money: forecast.Money{Quota: q(30000), ClosedWon: 12000, PipelineOpen: 40000, PipelineWeighted: 9000,
				FromPipeline: 6000, FromNewBusiness: 3000, Forecast: 21000, Low: 14000, High: 33000, Attainment: q(0.7), Coverage: q(2.2222), RequiredCoverage: q(4.4444), Gap: q(9000)},
				Parts:       forecast.Components{RecipeFromDone: 4200.5, RecipeFromExpected: 3100, RecipeBaseline: 900, PipelinePulledIn: 1500},
				WhatItTakes: []forecast.Need{{Kind: "demo", Additional: 6}, {Kind: forecast.KindPipeline, Additional: 40000}}},
			{RepID: "r2", Name: "Bo", Team: "East", Money: forecast.Money{Quota: q(30000), ClosedWon: 2000, PipelineOpen: 5000, PipelineWeighted: 800,
				FromPipeline: 600, FromNewBusiness: 400, Forecast: 3000, Low: 2000, High: 9000, Attainment: q(0.1), Coverage: q(0.1786), RequiredCoverage: q(6.25), Gap: q(27000)},
				WhatItTakes: []forecast.Need{{Kind: "demo", Additional: 90, OutOfReach: true}, {Kind: forecast.KindPipeline, Additional: 1e6, OutOfReach: true}},
				Notes:       []string{"out of reach this period"}},
			{RepID: "r3", Name: "Cy", Team: "", Money: forecast.Money{ClosedWon: 500, FromNewBusiness: 400, Forecast: 900, Low: 500, High: 2000}, WhatItTakes: []forecast.Need{},
				Notes: []string{"no quota: attainment, coverage and gap not defined"}},
		},
		Teams: []forecast.TeamRow{{Team: "", Reps: 1, Money: forecast.Money{ClosedWon: 500, FromNewBusiness: 400, Forecast: 900, Low: 500, High: 2000}},
			{Team: "East", Reps: 2, Money: forecast.Money{Quota: q(60000), ClosedWon: 14000, PipelineOpen: 45000, PipelineWeighted: 9800,
				FromPipeline: 6600, FromNewBusiness: 3400, Forecast: 24000, Low: 17000, High: 38000, Attainment: q(0.4), Coverage: q(0.9783), RequiredCoverage: q(4.5918), Gap: q(36000)}}},
		FirmTotal: forecast.Total{Reps: 3, Parts: forecast.Components{RecipeFromDone: 4200.5, RecipeFromExpected: 3100, RecipeBaseline: 900, PipelinePulledIn: 1500}, Money: forecast.Money{Quota: q(60000), ClosedWon: 14500, PipelineOpen: 45000, PipelineWeighted: 9800,
			FromPipeline: 6600, FromNewBusiness: 3800, Forecast: 24900, Low: 17500, High: 39000, Attainment: q(0.415), Coverage: q(0.9890), RequiredCoverage: q(4.5918), Gap: q(35100)}},
		Notes: []string{"no stages file: the stage-weighted view uses the firm's win rate 30%"},
	}
}

// sampleRecipe is a fixed recipe for the rendering golden files.
func sampleRecipe() forecast.Recipe {
	return forecast.Recipe{Firm: "acme", Grain: "month", FittedAt: time.Date(2026, 5, 16, 8, 0, 0, 0, time.UTC),
		DataFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), DataTo: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		Observations: 640, Method: "free-lags", R2: 0.41, CVWAPE: 0.52, Kinds: []forecast.KindRecipe{
			{Kind: "demo", ValuePerActivity: 1260, CILow: 1050, CIHigh: 1480, Lags: []forecast.LagShare{{Lag: 0, Share: 0.55}, {Lag: 1, Share: 0.3}, {Lag: 2, Share: 0.15}}},
			{Kind: "email", CIHigh: 111, Lags: []forecast.LagShare{{Lag: 0, Share: 0}}},
		}}
}

func TestRenderingGolden(t *testing.T) {
	var table, csv, recipe, backtest bytes.Buffer
	if err := printForecast(&table, sampleForecast()); err != nil {
		t.Fatal(err)
	}
	if err := writeForecastCSV(&csv, sampleForecast()); err != nil {
		t.Fatal(err)
	}
	if err := printRecipe(&recipe, sampleRecipe(), salesrecipe.GrainMonth); err != nil {
		t.Fatal(err)
	}
	cov, teamCov, teamOwn, teamRunRate := 0.8, 0.75, 0.2, 0.4
	bt := &forecast.Backtest{Firm: "acme", Periods: 6, Methods: []forecast.Score{
		{Method: forecast.MethodSalesrecipe, AsOfPoint: "mid", RepWAPE: 0.41, TeamWAPE: &teamOwn, Bias: -0.05, IntervalCoverage: &cov, TeamIntervalCoverage: &teamCov, Forecasts: 120},
		{Method: forecast.MethodRunRate, AsOfPoint: "mid", RepWAPE: 0.62, TeamWAPE: &teamRunRate, Bias: -0.3, Forecasts: 120},
		{Method: forecast.MethodLastPeriod, AsOfPoint: "mid", RepWAPE: 0.7, Bias: 0.1, Forecasts: 120}}} // no team scored: dashes
	from, _ := salesrecipe.ParsePeriod("2025-12")
	to, _ := salesrecipe.ParsePeriod("2026-05")
	if err := printBacktest(&backtest, bt, from, to); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"forecast_table.golden": table.Bytes(), "forecast.csv.golden": csv.Bytes(),
		"recipe_table.golden": recipe.Bytes(), "backtest_table.golden": backtest.Bytes()} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs (go test -update rewrites it):\n%s", name, got)
		}
	}
	if !strings.Contains(recipe.String(), "1 demo ~ $1,260 of won revenue within 3 months (80% CI $1,050-$1,480)") {
		t.Errorf("the advice line reads:\n%s", recipe.String())
	}
}
