package dashboards

import (
	"encoding/json"
	"flag"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/forecast"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pinned is the selection of the golden answers: the test firm's March as of the test clock.
const pinned = "period=2026-03&as_of=2026-03-18T10:30:00Z"

func TestAPIGolden(t *testing.T) {
	if raceEnabled {
		t.Skip("one request at a time: the answers, not concurrency (27 s under -race); make test runs it without the race detector")
	}
	f := newFixture(t)
	f.fit(t, testNow.Add(-24*time.Hour))
	savePastCalls(t, f)
	tests := []struct {
		name, role, path string
	}{
		{"forecast-admin", "admin", "/api/v1/forecast"},
		{"forecast-manager", "manager", "/api/v1/forecast"},
		{"forecast-rep", "rep", "/api/v1/forecast"},
		{"recipe", "rep", "/api/v1/recipe"},
		{"backtest-admin", "admin", "/api/v1/backtest"},
		{"backtest-rep", "rep", "/api/v1/backtest"},
		{"rep-r0003", "rep", "/api/v1/reps/r0003"},
		{"pipeline-admin", "admin", "/api/v1/pipeline"},
		{"pipeline-rep", "rep", "/api/v1/pipeline"},
		{"plan-r0003", "rep", "/api/v1/plans/r0003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.role, tt.path+"?"+pinned)
			got := body(t, res)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), got)
			}
			golden := filepath.Join("testdata", "api", tt.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", tt.path, golden, firstDiff(got, string(want)))
			}
		})
	}
	t.Run("scoped numbers agree with the forecast", func(t *testing.T) { scopedNumbersAgree(t, f) })
	t.Run("accuracy page scores the calls", func(t *testing.T) { accuracyScoresCalls(t, f) })
	t.Run("calls: submit, read and show", func(t *testing.T) { callsSubmitReadAndShow(t, f) })
}

// firstDiff shows the first line where two texts differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got  " + g[i] + "\n want " + w[i]
		}
	}
	return "lengths differ: " + strconv.Itoa(len(g)) + " and " + strconv.Itoa(len(w)) + " lines"
}

// scopedNumbersAgree checks that the totals and scores the dashboards
// recompute for a subset of reps follow the forecast's own rules: one team's
// sum is its row, all teams' sum has the firm's money and ratios, a forecast
// a little under the firm's (each team's is its own total's middle) and an
// interval at least as wide, and rescoring every point gives the backtest's scores.
func scopedNumbersAgree(t *testing.T, f *fixture) {
	var fc forecast.Forecast
	decode(t, f.get(t, "admin", "/api/v1/forecast?"+pinned), &fc)
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.02*float64(len(fc.Teams)) }
	same := func(name string, got, want forecast.Money, exactInterval bool) {
		interval := near(got.Low, want.Low) && near(got.High, want.High)
		if !exactInterval {
			interval = got.Low <= want.Low+0.01 && got.High >= want.High-0.01
		}
		point := near(got.Forecast, want.Forecast) && closePtr(got.Attainment, want.Attainment) &&
			(got.Gap == nil) == (want.Gap == nil) && (got.Gap == nil || near(*got.Gap, *want.Gap))
		if !exactInterval {
			// A total's forecast is the middle of its own simulated outcomes; teams summed lie a little
			// below their union's middle, never above it.
			point = got.Forecast <= want.Forecast+0.01 && got.Forecast >= 0.97*want.Forecast && (got.Gap == nil) == (want.Gap == nil)
		}
		if !interval || !point || !near(got.ClosedWon, want.ClosedWon) || !near(got.PipelineOpen, want.PipelineOpen) ||
			!closePtr(got.Coverage, want.Coverage) || !closePtr(got.RequiredCoverage, want.RequiredCoverage) {
			t.Errorf("%s: recomputed %+v, forecast says %+v", name, got, want)
		}
	}
	same("all teams", sumTeams(fc.Teams), fc.FirmTotal.Money, false)
	for _, tm := range fc.Teams {
		same("team "+tm.Team, sumTeams([]forecast.TeamRow{tm}), tm.Money, true)
	}
	bt, err := f.srv.firmBacktest(t.Context(), "acme", mustParams(t, f, pinned))
	if err != nil {
		t.Fatal(err)
	}
	got := forecast.ScorePoints(bt.Points, bt.Teams, pointOrder(bt))
	if len(got) != len(bt.Methods) {
		t.Fatalf("%d scores, the backtest has %d", len(got), len(bt.Methods))
	}
	for i := range got {
		g, w := got[i], bt.Methods[i]
		if g.Method != w.Method || g.AsOfPoint != w.AsOfPoint || g.RepWAPE != w.RepWAPE || !closePtr(g.TeamWAPE, w.TeamWAPE) || !closePtr(g.TeamIntervalCoverage, w.TeamIntervalCoverage) || g.Bias != w.Bias ||
			g.Forecasts != w.Forecasts || !closePtr(g.IntervalCoverage, w.IntervalCoverage) {
			t.Errorf("score %d: rescored %+v, backtest says %+v", i, g, w)
		}
	}
}

// closePtr compares optional ratios.
func closePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= 2e-4 || math.Abs(*a-*b) <= 1e-6*math.Abs(*b)
}

// decode reads a JSON response.
func decode(t *testing.T, res *http.Response, v any) {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body(t, res))
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// mustParams parses a query string into a selection.
func mustParams(t *testing.T, f *fixture, raw string) params {
	t.Helper()
	r, _ := http.NewRequest("GET", "/?"+raw, nil)
	p, err := f.srv.parseParams(r.URL.Query())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
