package ingest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
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
