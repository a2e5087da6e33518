package ingest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// engine is this test binary's embedded ClickHouse engine.
var engine querytest.Engine

// TestMain stops the embedded engine before the binary exits.
func TestMain(m *testing.M) { engine.Main(m) }

// firmDir writes a small synthetic firm and returns its directory.
func firmDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Reps, cfg.Months, cfg.End = 8, 4, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := synth.WriteDir(context.Background(), dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runFile loads one file of a kind.
func runFile(t *testing.T, st *queries.Store, job ingest.Job, path string) (ingest.Result, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if job.Firm == "" {
		job.Firm = "acme"
	}
	return ingest.Run(context.Background(), st, job, []ingest.Input{{Name: filepath.Base(path), R: f}})
}

// csvFacts counts a canonical CSV's rows and the distinct values of a key built from columns.
func csvFacts(t *testing.T, path string, key ...string) (rows int, distinct int, sumWon float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	seen := map[string]bool{}
	last := map[string][]string{}
	for _, r := range recs[1:] {
		var k []string
		for _, c := range key {
			k = append(k, r[idx[c]])
		}
		seen[strings.Join(k, "|")] = true
		if id, ok := idx["deal_id"]; ok {
			last[r[id]] = r // versions are in updated_at order
		}
	}
	for _, r := range last {
		if r[idx["status"]] == "won" {
			v, _ := strconv.ParseFloat(r[idx["amount"]], 64)
			sumWon += v
		}
	}
	return len(recs) - 1, len(seen), sumWon
}

func TestLoadSyntheticFirmExactlyAndIdempotently(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	dir := firmDir(t)
	keys := map[ingest.Kind][]string{
		ingest.KindReps: {"rep_id"}, ingest.KindQuotas: {"rep_id", "period", "period_start"}, ingest.KindStages: {"stage"},
		ingest.KindActivities: {"activity_id"}, ingest.KindDeals: {"deal_id", "updated_at"},
	}
	for _, pass := range []string{"first", "again"} {
		for _, kind := range ingest.Kinds() {
			path := filepath.Join(dir, string(kind)+".csv")
			rows, distinct, _ := csvFacts(t, path, keys[kind]...)
			res, err := runFile(t, st, ingest.Job{Kind: kind}, path)
			if err != nil {
				t.Fatalf("%s %s: %v", pass, kind, err)
			}
			wantLoaded := int64(distinct)
			if pass == "again" {
				wantLoaded = 0
			}
			if res.Read != int64(rows) || res.Loaded != wantLoaded || res.Loaded+res.Duplicates != res.Read || res.UnknownRepRows != 0 {
				t.Errorf("%s %s: %+v (file has %d rows, %d distinct)", pass, kind, res, rows, distinct)
			}
		}
	}
	status, err := st.Status(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, ks := range status {
		_, distinct, _ := csvFacts(t, filepath.Join(dir, string(ks.Kind)+".csv"), keys[ingest.Kind(ks.Kind)]...)
		if ks.Rows != uint64(distinct) {
			t.Errorf("status %s: %d rows, file has %d distinct", ks.Kind, ks.Rows, distinct)
		}
	}
	_, _, wantWon := csvFacts(t, filepath.Join(dir, "deals.csv"), "deal_id")
	rev, err := st.WonRevenue(context.Background(), "acme", "month", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for _, r := range rev {
		got += r.Amount
	}
	if diff := got - wantWon; diff > 0.005*float64(len(rev)+1) || diff < -0.005*float64(len(rev)+1) {
		t.Errorf("won revenue in the engine %.2f, in the file %.2f", got, wantWon)
	}
}

func TestStrictLoadWritesNothingAndNamesEveryError(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	res, err := runFile(t, st, ingest.Job{Kind: ingest.KindDeals}, "testdata/fixtures/deals-duplicate-ids.csv")
	var list *ingest.ErrorList
	if !errors.Is(err, ingest.ErrInvalid) || !errors.As(err, &list) || len(list.Errors) != 2 {
		t.Fatalf("want 2 listed errors, got %v", err)
	}
	for _, want := range []string{"deals-duplicate-ids.csv:4: row has 11 fields", `deals-duplicate-ids.csv:5: column amount: value "1,200": thousands separator`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if res.Loaded != 0 {
		t.Errorf("loaded %d", res.Loaded)
	}
	assertRows(t, st, queries.KindDeals, 0)
	assertNoStagingTables(t, st)
}

func TestSkipInvalidLoadsTheRestAndKeepsRejectsVerbatim(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	var rejects bytes.Buffer
	res, err := runFile(t, st, ingest.Job{Kind: ingest.KindDeals, SkipInvalid: true, Rejects: &rejects}, "testdata/fixtures/deals-duplicate-ids.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 4 || res.Rejected != 2 || res.Loaded != 1 || res.Duplicates != 1 || res.UnknownRepRows != 1 || res.UnknownReps != 1 {
		t.Fatalf("%+v", res)
	}
	assertRows(t, st, queries.KindDeals, 1)
	lines := strings.Split(strings.TrimSpace(rejects.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("rejects:\n%s", rejects.String())
	}
	var rej struct {
		Source, Reason, Raw string
		Line                int
	}
	if err := json.Unmarshal([]byte(lines[1]), &rej); err != nil {
		t.Fatal(err)
	}
	if rej.Line != 5 || rej.Raw != `D-2,rep-1,,Proposal,open,"1,200",2024-01-06T10:00:00Z,2024-02-28,,2024-01-06T10:00:00Z` || !strings.Contains(rej.Reason, "thousands separator") {
		t.Errorf("reject: %+v", rej)
	}
}

// assertRows checks the stored row count of a kind.
func assertRows(t *testing.T, st *queries.Store, kind queries.Kind, want uint64) {
	t.Helper()
	status, err := st.Status(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, ks := range status {
		if ks.Kind == kind && ks.Rows != want {
			t.Errorf("%s: %d rows stored, want %d", kind, ks.Rows, want)
		}
	}
}

// assertNoStagingTables checks that no load left its staging table behind.
func assertNoStagingTables(t *testing.T, st *queries.Store) {
	t.Helper()
	var n uint64
	err := st.Conn().QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_load\\_%'").Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("%d staging tables left (%v)", n, err)
	}
}

// flakyServer exposes the engine over HTTP and fails requests while failing is set.
func flakyServer(t *testing.T, db string, failing *atomic.Int32) string {
	t.Helper()
	h := engine.Get(t).Handler(chdb.HandlerOptions{Password: "pw"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() > 0 && r.URL.Path != "/ping" {
			failing.Add(-1)
			http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + db
}

func TestTransientStorageFailuresAreRetried(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	var failing atomic.Int32
	st, err := queries.Open(context.Background(), queries.Config{DSN: flakyServer(t, base.Database(), &failing)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := firmDir(t)
	failing.Store(3)
	fast := ingest.Backoff{Attempts: 5, First: time.Millisecond, Max: 10 * time.Millisecond}
	res, err := runFile(t, st, ingest.Job{Kind: ingest.KindActivities, Backoff: fast}, filepath.Join(dir, "activities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, _ := csvFacts(t, filepath.Join(dir, "activities.csv"), "activity_id")
	if res.Loaded != int64(rows) {
		t.Fatalf("%+v, want %d loaded", res, rows)
	}
	// Storage down for good: a clear error that says re-running is safe, and a re-run counts nothing twice.
	failing.Store(1 << 20)
	_, err = runFile(t, st, ingest.Job{Kind: ingest.KindActivities, Backoff: fast}, filepath.Join(dir, "activities.csv"))
	var se *ingest.StoreError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "re-running the same load is safe") {
		t.Fatalf("want StoreError, got %v", err)
	}
	failing.Store(0)
	res, err = runFile(t, st, ingest.Job{Kind: ingest.KindActivities}, filepath.Join(dir, "activities.csv"))
	if err != nil || res.Loaded != 0 || res.Duplicates != int64(rows) {
		t.Fatalf("re-run: %+v %v", res, err)
	}
	assertRows(t, base, queries.KindActivities, uint64(rows))
}

func TestOneIdentityWithTwoContentsInOneLoad(t *testing.T) {
	cases := []struct {
		name  string
		kind  ingest.Kind
		input string
		want  string // the error about the first of the two rows
		rows  uint64 // stored with --skip-invalid
	}{
		{"activity moved within the file", ingest.KindActivities,
			"activity_id,rep_id,kind,occurred_at\na1,r1,call,2026-01-05T10:00:00Z\na2,r1,call,2026-01-06T10:00:00Z\na1,r1,call,2026-03-05T10:00:00Z\na2,r1,call,2026-01-06T10:00:00Z\n",
			`in.csv:2: activity_id "a1" is also at in.csv:4 with different content`, 1},
		{"deal version with two amounts", ingest.KindDeals,
			"deal_id,rep_id,account_id,stage,status,amount,created_at,close_date,closed_at,updated_at\n" +
				"D-1,r1,A,Proposal,open,1200,2024-01-05T10:00:00Z,2024-02-28,,2024-01-05T10:00:00Z\n" +
				"D-2,r1,A,Proposal,open,50,2024-01-05T10:00:00Z,2024-02-28,,2024-01-05T10:00:00Z\n" +
				"D-1,r1,A,Proposal,open,1300,2024-01-05T10:00:00Z,2024-02-28,,2024-01-05T10:00:00Z\n",
			`in.csv:2: deal version "D-1 at 2024-01-05 10:00:00.000" is also at in.csv:4 with different content`, 1},
		{"rep with two teams", ingest.KindReps,
			"rep_id,name,email,team,manager_id\nr1,Ann,a@x.io,East,\nr2,Bo,b@x.io,East,\nr1,Ann,a@x.io,West,\n",
			`in.csv:2: rep_id "r1" is also at in.csv:4 with different content`, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(path, []byte(c.input), 0o644); err != nil {
				t.Fatal(err)
			}
			st := engine.Store(t, queries.Config{})
			_, err := runFile(t, st, ingest.Job{Kind: c.kind}, path)
			if !errors.Is(err, ingest.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("strict load: %v\nwant %s", err, c.want)
			}
			assertRows(t, st, queries.Kind(c.kind), 0)
			assertNoStagingTables(t, st)
			var rejects bytes.Buffer
			res, err := runFile(t, st, ingest.Job{Kind: c.kind, SkipInvalid: true, Rejects: &rejects}, path)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(rejects.String()), "\n")
			if res.Rejected != 2 || res.Loaded != int64(c.rows) || len(lines) != 2 ||
				!strings.Contains(lines[0], `"line":2`) || !strings.Contains(lines[1], `"line":4`) {
				t.Fatalf("skip-invalid: %+v\n%s", res, rejects.String())
			}
			assertRows(t, st, queries.Kind(c.kind), c.rows)
		})
	}
}
