package metrics

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded ClickHouse engine.
var engine querytest.Engine

// TestMain stops the embedded engine before the binary exits.
func TestMain(m *testing.M) { engine.Main(m) }

func TestObserveIngest(t *testing.T) {
	tests := []struct {
		name    string
		res     ingest.Result
		err     error
		want    map[string]float64 // outcome -> rows
		success bool
	}{
		{"new and duplicate rows", ingest.Result{Read: 5, Loaded: 3, Duplicates: 2}, nil,
			map[string]float64{"loaded": 3, "duplicate": 2, "rejected": 0, "failed": 0}, true},
		{"invalid rows: nothing stored", ingest.Result{Read: 5, Rejected: 2}, ingest.ErrInvalid,
			map[string]float64{"loaded": 0, "duplicate": 0, "rejected": 2, "failed": 3}, false},
		{"store down", ingest.Result{Read: 4}, errors.New("clickhouse: connection refused"),
			map[string]float64{"loaded": 0, "duplicate": 0, "rejected": 0, "failed": 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}
			m, reg := newTestMetrics(t, src, false)
			if err := m.Refresh(t.Context()); err != nil {
				t.Fatal(err)
			}
			m.ObserveIngest("acme", ingest.KindQuotas, tt.res, tt.err)
			for outcome, want := range tt.want {
				if got := testutil.ToFloat64(m.ingestRows.WithLabelValues("acme", "quotas", outcome)); got != want {
					t.Errorf("%s rows = %v, want %v", outcome, got, want)
				}
			}
			got := line(string(exposition(t, reg)), `salesrecipe_ingest_last_success_timestamp_seconds{firm="acme",kind="quotas"}`)
			if stamped := !strings.HasSuffix(got, " 0"); stamped != tt.success {
				t.Errorf("last success %q: stamped %v, want %v", got, stamped, tt.success)
			}
		})
	}
}

func TestInstrumentHTTP(t *testing.T) {
	src := &fakeSource{}
	m, _ := newTestMetrics(t, src, false)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /api/v1/reps/{rep}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	h := m.InstrumentHTTP(mux)
	for _, path := range []string{"/healthz", "/healthz", "/api/v1/reps/r1", "/api/v1/reps/r2", "/no/such/page"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	want, err := readGolden("http.prom")
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(m.httpDuration, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// TestIngestHandlerCountsByFirm loads rows through the real ingest API on the embedded engine.
func TestIngestHandlerCountsByFirm(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	m, reg := newTestMetrics(t, &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": acme()}}, false)
	if err := m.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	observed := 0
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/ingest/{kind}", m.IngestHandler(ingest.HandlerConfig{
		Store:     st,
		Authorize: func(*http.Request, string) (string, error) { return "acme", nil },
		Observe:   func(string, ingest.Kind, ingest.Result, error) { observed++ },
		Backoff:   ingest.Backoff{Attempts: 1, First: time.Millisecond, Max: time.Millisecond},
	}))
	srv := httptest.NewServer(m.InstrumentHTTP(mux))
	defer srv.Close()
	reps := "rep_id,name,team\nr1,Ann,east\nr2,Bob,west\n"
	steps := []struct {
		body string
		code int
	}{
		{reps, http.StatusOK},
		{reps, http.StatusOK},
		{"rep_id,name,team\nr3,,east\n", http.StatusBadRequest},
	}
	for _, s := range steps {
		res, err := http.Post(srv.URL+"/api/v1/ingest/reps", "text/csv", strings.NewReader(s.body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != s.code {
			t.Fatalf("POST reps: status %d, want %d", res.StatusCode, s.code)
		}
	}
	for outcome, want := range map[string]float64{"loaded": 2, "duplicate": 2, "rejected": 1, "failed": 0} {
		if got := testutil.ToFloat64(m.ingestRows.WithLabelValues("acme", "reps", outcome)); got != want {
			t.Errorf("acme reps %s = %v, want %v", outcome, got, want)
		}
	}
	if observed != len(steps) {
		t.Errorf("the configured Observe saw %d loads, want %d", observed, len(steps))
	}
	got := string(exposition(t, reg))
	if l := line(got, `salesrecipe_ingest_last_success_timestamp_seconds{firm="acme",kind="reps"}`); strings.HasSuffix(l, " 0") || l == "" {
		t.Errorf("last reps load not stamped: %q", l)
	}
	for _, want := range []string{
		`salesrecipe_http_request_duration_seconds_count{code="200",route="POST /api/v1/ingest/{kind}"} 2`,
		`salesrecipe_http_request_duration_seconds_count{code="400",route="POST /api/v1/ingest/{kind}"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestSaveFailedCountsOnTheInjectedRegistry(t *testing.T) {
	m, reg := newTestMetrics(t, &fakeSource{}, false)
	m.SaveFailed("snapshot")
	m.SaveFailed("snapshot")
	m.SaveFailed("recipe")
	want := `
# HELP salesrecipe_optional_save_failures_total Writes a read does on the side (what: snapshot, recipe) that failed; the answer was served without them.
# TYPE salesrecipe_optional_save_failures_total counter
salesrecipe_optional_save_failures_total{what="recipe"} 1
salesrecipe_optional_save_failures_total{what="snapshot"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "salesrecipe_optional_save_failures_total"); err != nil {
		t.Error(err)
	}
}

func TestObserveRefit(t *testing.T) {
	snap := acme()
	snap.FitDuration = 0 // the store does not know how long a fit took; the refitter does
	m, reg := newTestMetrics(t, &fakeSource{firms: []string{"acme"}, snaps: map[string]Snapshot{"acme": snap}}, false)
	if err := m.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := line(string(exposition(t, reg)), "salesrecipe_recipe_fit_duration_seconds{"); got != "" {
		t.Errorf("a fit duration before any refit: %q", got)
	}
	m.ObserveRefit("acme", 2500*time.Millisecond, nil)
	m.ObserveRefit("acme", time.Second, errors.New("thin data"))
	got := string(exposition(t, reg))
	for _, want := range []string{
		`salesrecipe_refits_total{firm="acme",result="success"} 1`,
		`salesrecipe_refits_total{firm="acme",result="failure"} 1`,
		`salesrecipe_recipe_fit_duration_seconds{firm="acme"} 2.5`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("exposition lacks %q", want)
		}
	}
}
