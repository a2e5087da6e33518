package ingest_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// tokenAuth allows "good" to load into acme and knows "other" without rights.
func tokenAuth(r *http.Request, requested string) (string, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer good":
		if requested != "" && requested != "acme" {
			return "", fmt.Errorf("firm %s: %w", requested, ingest.ErrForbidden)
		}
		return "acme", nil
	case "Bearer other":
		return "", ingest.ErrForbidden
	}
	return "", ingest.ErrUnauthenticated
}

// apiServer serves the ingest handler on a store.
func apiServer(t *testing.T, st *queries.Store, limit int64) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/ingest/{kind}", ingest.NewHandler(ingest.HandlerConfig{Store: st, Authorize: tokenAuth, MaxBodyBytes: limit}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// post sends a body and decodes the JSON answer.
func post(t *testing.T, url, token, ctype, enc string, body []byte) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", ctype)
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("status %d, body not JSON: %s", res.StatusCode, b)
	}
	return res.StatusCode, out, res.Header
}

const goodActivities = "activity_id,rep_id,kind,occurred_at\na1,r1,call,2026-03-02T10:00:00Z\na2,r1,demo,2026-03-03T10:00:00Z\n"

func TestIngestAPI(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	srv := apiServer(t, st, 1<<20)
	url := srv.URL + "/api/v1/ingest/activities"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(goodActivities))
	zw.Close()
	ndjson := `{"activity_id":"a3","rep_id":"r1","kind":"email","occurred_at":"2026-03-04T10:00:00Z"}` + "\n"
	tests := []struct {
		name, token, ctype, enc, path string
		body                          []byte
		status                        int
		want                          string
	}{
		{"csv", "good", "text/csv", "", "", []byte(goodActivities), 200, `"loaded":2`},
		{"same again", "good", "text/csv", "", "", []byte(goodActivities), 200, `"duplicates":2`},
		{"gzip", "good", "text/csv", "gzip", "", gz.Bytes(), 200, `"duplicates":2`},
		{"ndjson", "good", "application/x-ndjson", "", "", []byte(ndjson), 200, `"loaded":1`},
		{"invalid row", "good", "text/csv", "", "", []byte("activity_id,rep_id,kind,occurred_at\na9,r1,call,2026-03-02\na10,,call,someday\n"), 400, `"field":"rep_id"`},
		{"no token", "", "text/csv", "", "", []byte(goodActivities), 401, "missing or unknown token"},
		{"no right", "other", "text/csv", "", "", []byte(goodActivities), 403, "may not load"},
		{"other firm", "good", "text/csv", "", "?firm=globex", []byte(goodActivities), 403, "globex"},
		{"media type", "good", "text/plain", "", "", []byte(goodActivities), 415, "text/csv"},
		{"encoding", "good", "text/csv", "br", "", []byte(goodActivities), 415, "br"},
		{"too large", "good", "text/csv", "", "", []byte(goodActivities + strings.Repeat("a99,r1,call,2026-03-02T10:00:00Z\n", 40000)), 413, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, _ := post(t, url+tt.path, tt.token, tt.ctype, tt.enc, tt.body)
			b, _ := json.Marshal(out)
			if status != tt.status || !strings.Contains(string(b), tt.want) {
				t.Fatalf("status %d %s, want %d with %s", status, b, tt.status, tt.want)
			}
		})
	}
	assertRows(t, st, queries.KindActivities, 3) // the invalid request wrote nothing
	assertNoStagingTables(t, st)
}

func TestIngestAPIStorageDownIs503(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	var failing atomic.Int32
	st, err := queries.Open(t.Context(), queries.Config{DSN: flakyServer(t, base.Database(), &failing)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := apiServer(t, st, 1<<20)
	failing.Store(1 << 20)
	status, out, hdr := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", "", []byte(goodActivities))
	if status != 503 || hdr.Get("Retry-After") == "" || !strings.Contains(fmt.Sprint(out["error"]), "safe") {
		t.Fatalf("status %d %v %v", status, out, hdr)
	}
}

// gzipBomb returns a small gzip body that inflates to a CSV header and n bytes of blank-free rows.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte("activity_id,rep_id,kind,occurred_at\n"))
	rows := bytes.Repeat([]byte("a1,r1,call,2026-03-02T10:00:00Z\n"), 2048)
	for written := 0; written < n; written += len(rows) {
		zw.Write(rows)
	}
	zw.Close()
	return gz.Bytes()
}

func TestIngestAPIInflatedBodyOverTheLimitIs413(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	const limit = 1 << 20
	srv := apiServer(t, st, limit)
	bomb := gzipBomb(t, 8*limit)
	if len(bomb) >= limit/8 {
		t.Fatalf("the bomb is %d bytes on the wire; it should be far below the limit", len(bomb))
	}
	for _, enc := range []string{"gzip", ""} { // gzip is detected by its magic bytes too
		status, out, _ := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", enc, bomb)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(fmt.Sprint(out["error"]), "larger than 1048576 bytes once decompressed") {
			t.Fatalf("Content-Encoding %q: status %d %v, want 413 naming the limit", enc, status, out)
		}
	}
	if status, _, _ := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", "gzip", gzipBomb(t, limit/8)); status != http.StatusOK {
		t.Fatalf("a gzip body inflating below the limit: status %d", status)
	}
	assertRows(t, st, queries.KindActivities, 1)
	assertNoStagingTables(t, st)
}

func TestIngestAPIBoundsLoadsInFlightPerFirm(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	lim := ingest.NewLoadLimiter(1, 50*time.Millisecond)
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/ingest/{kind}", ingest.NewHandler(ingest.HandlerConfig{Store: st, Authorize: tokenAuth, Limiter: lim}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + "/api/v1/ingest/activities"

	// A load of the firm holds its one slot (taken as the handler takes it, so no request races it).
	release, ok := ingest.AcquireLoadSlot(t.Context(), lim, "acme")
	if !ok {
		t.Fatal("the firm's free slot was refused")
	}
	status, out, hdr := post(t, url, "good", "text/csv", "", []byte(goodActivities))
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "1" || !strings.Contains(fmt.Sprint(out["error"]), "1 loads of this firm") {
		release()
		t.Fatalf("second load while one is in flight: status %d %v Retry-After %q, want 429 with Retry-After", status, out, hdr.Get("Retry-After"))
	}
	assertRows(t, st, queries.KindActivities, 0)
	release()
	if status, out, _ := post(t, url, "good", "text/csv", "", []byte(goodActivities)); status != http.StatusOK {
		t.Fatalf("a load after the first ended: status %d %v", status, out)
	}
	assertRows(t, st, queries.KindActivities, 2)
}

func TestIngestAPIBadValueAnswerNamesIt(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	srv := apiServer(t, st, 1<<20)
	body := "deal_id,rep_id,stage,status,amount,created_at,close_date,updated_at\n" +
		"d1,r1,Proposal,open,100000000000000000,2026-01-05T10:00:00Z,2026-02-01,2026-01-06T10:00:00Z\n"
	status, out, hdr := post(t, srv.URL+"/api/v1/ingest/deals", "good", "text/csv", "", []byte(body))
	b, _ := json.Marshal(out)
	want := `{"errors":[{"field":"amount","reason":"above the largest amount, 9999999999999.99","row":2,"value":"100000000000000000"}],` +
		`"groups":[{"field":"amount","lines":[2],"reason":"above the largest amount, 9999999999999.99","rows":1,"values":["100000000000000000"]}],"more":0,"other_problems":0}`
	if status != http.StatusBadRequest || string(b) != want || hdr.Get("Retry-After") != "" {
		t.Fatalf("status %d %s\nwant 400 %s", status, b, want)
	}
	assertRows(t, st, queries.KindDeals, 0)
}

func TestIngestAPIGroupsRepeatedErrorsGolden(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	srv := apiServer(t, st, 1<<20)
	body, err := os.ReadFile("testdata/errors/activities-repeated.csv")
	if err != nil {
		t.Fatal(err)
	}
	status, out, _ := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", "", body)
	if status != http.StatusBadRequest {
		t.Fatalf("status %d %v, want 400", status, out)
	}
	b, err := json.MarshalIndent(map[string]any{"groups": out["groups"], "other_problems": out["other_problems"]}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	ingest.CheckGolden(t, "testdata/errors/activities-repeated.api.json", string(b)+"\n")
	assertRows(t, st, queries.KindActivities, 0)
}

func TestDataErrorTellsRefusedValuesFromOutages(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	tests := []struct {
		sql        string
		data, tran bool
	}{
		{"SELECT toDecimal64('100000000000000000000', 2)", true, false},
		{"SELECT toDate32('not a date')", true, false},
		{"SELECT * FROM no_such_table", false, false},
	}
	for _, tt := range tests {
		err := st.Conn().Exec(ctx, tt.sql)
		if err == nil || ingest.DataError(err) != tt.data || ingest.Transient(err) != tt.tran {
			t.Errorf("%s: %v: DataError %v Transient %v, want %v %v", tt.sql, err, ingest.DataError(err), ingest.Transient(err), tt.data, tt.tran)
		}
	}
}

// trickle sends a request whose body comes one byte per interval and returns the first line of
// the answer, or the read error when the server closed the connection without one.
func trickle(addr, path string, every time.Duration) string {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	body := goodActivities
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", path, len(body))
	answer := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			line = err.Error()
		}
		answer <- strings.TrimSpace(line)
	}()
	for i := 0; i < len(body); i++ {
		select {
		case a := <-answer:
			return a
		case <-time.After(every):
		}
		if _, err := conn.Write([]byte{body[i]}); err != nil {
			break
		}
	}
	return <-answer
}

func TestIngestAPIDropsSlowBodies(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/ingest/{kind}", ingest.NewHandler(ingest.HandlerConfig{Store: st, Authorize: tokenAuth,
		BodyGrace: 200 * time.Millisecond, MinBodyRate: 1 << 10, Limiter: ingest.NewLoadLimiter(8, time.Second)}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	answers := make(chan string, 8)
	for range 8 {
		go func() { answers <- trickle(addr, "/api/v1/ingest/activities", 50*time.Millisecond) }()
	}
	for range 8 {
		if a := <-answers; a != "HTTP/1.1 408 Request Timeout" {
			t.Errorf("a client sending a byte every 50 ms got %q, want 408", a)
		}
	}
	if status, out, _ := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", "", []byte(goodActivities)); status != http.StatusOK {
		t.Fatalf("a body sent at once: status %d %v", status, out)
	}
	assertRows(t, st, queries.KindActivities, 2)
	assertNoStagingTables(t, st)
}

// refusingServer exposes the engine over HTTP but answers every INSERT with the ClickHouse
// exception code, as a server refusing the rows would.
func refusingServer(t *testing.T, db string, code int) string {
	t.Helper()
	h := engine.Get(t).Handler(chdb.HandlerOptions{Password: "pw"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("query"))), "INSERT") {
			w.Header().Set("X-ClickHouse-Exception-Code", strconv.Itoa(code))
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "Code: %d. DB::Exception: refused by the test server. (TEST)\n", code)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return "http://default:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/" + db
}

func TestIngestAPIStorageRefusalIsNever503(t *testing.T) {
	base := engine.Store(t, queries.Config{})
	tests := []struct {
		code   int
		status int
		want   string
	}{
		{407, http.StatusBadRequest, "storage refused a value"}, // DECIMAL_OVERFLOW
		{60, http.StatusInternalServerError, "storage failed"},  // UNKNOWN_TABLE
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			st, err := queries.Open(t.Context(), queries.Config{DSN: refusingServer(t, base.Database(), tt.code)})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			srv := apiServer(t, st, 1<<20)
			status, out, hdr := post(t, srv.URL+"/api/v1/ingest/activities", "good", "text/csv", "", []byte(goodActivities))
			b, _ := json.Marshal(out)
			if status != tt.status || hdr.Get("Retry-After") != "" || !strings.Contains(string(b), tt.want) {
				t.Fatalf("status %d %s (Retry-After %q), want %d with %q and no Retry-After", status, b, hdr.Get("Retry-After"), tt.status, tt.want)
			}
		})
	}
	assertRows(t, base, queries.KindActivities, 0)
	assertNoStagingTables(t, base)
}
