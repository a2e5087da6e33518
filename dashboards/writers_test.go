package dashboards

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest"
)

// TestConcurrentCallsAndPlansAreEachKept sends forecast calls for five reps (four each) and plans for two
// reps (three each) all at once, as many browsers and scripts would: every submission is kept exactly once,
// each rep's history holds all of its own and no other's, and the latest one is the one submitted last.
func TestConcurrentCallsAndPlansAreEachKept(t *testing.T) {
	f := newFixtureOf(t, ingest.KindReps, ingest.KindQuotas)
	f.clock.mu.Lock()
	f.clock.step = time.Microsecond // each submission gets its own time, as a real clock gives it
	f.clock.mu.Unlock()
	reps, calls := []string{"r0001", "r0002", "r0003", "r0004", "r0005"}, 4
	planReps, plans := []string{"r0003", "r0006"}, 3
	var wg sync.WaitGroup
	send := func(target, payload string) {
		method, path, _ := strings.Cut(target, " ")
		r := httptest.NewRequest(method, path, strings.NewReader(payload))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+tokens["admin"])
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, r)
		if w.Code != http.StatusCreated && w.Code != http.StatusOK {
			b, _ := io.ReadAll(w.Result().Body)
			t.Errorf("%s: %d %s", target, w.Code, b)
		}
	}
	for _, rep := range reps {
		for i := range calls {
			wg.Go(func() {
				send("PUT /api/v1/calls", fmt.Sprintf(`{"period":"2026-03","rep_id":%q,"commit":%d,"best_case":%d,"note":"%s #%d"}`,
					rep, 1000+i, 2000+i, rep, i))
			})
		}
	}
	for _, rep := range planReps {
		for i := range plans {
			wg.Go(func() {
				send("PUT /api/v1/plans/"+rep+"?from=2026-03", fmt.Sprintf(`{"accounts":[{"account":"Acct %d","amount":%d,"close_quarter":"2026-Q3"}],"goals":["%s goal %d"]}`,
					i, 900000+i, rep, i))
			})
		}
	}
	wg.Wait()
	got := readCalls(t, f, "admin", "period=2026-03")
	seen := map[string]bool{}
	for _, row := range got.Calls {
		if row.RepID == "" {
			continue
		}
		var notes []string
		for _, h := range row.History {
			notes = append(notes, h.Note)
		}
		slices.Sort(notes)
		want := []string{}
		for i := range calls {
			want = append(want, fmt.Sprintf("%s #%d", row.RepID, i))
		}
		if !slices.Equal(notes, want) {
			t.Errorf("%s: history notes %q, want each of %q once", row.RepID, notes, want)
		}
		if row.Latest == nil || len(row.History) == 0 || row.Latest.Note != row.History[0].Note {
			t.Errorf("%s: latest %+v is not the newest of the history", row.RepID, row.Latest)
		}
		for i := 1; i < len(row.History); i++ {
			if !row.History[i-1].SubmittedAt.After(row.History[i].SubmittedAt) {
				t.Errorf("%s: history not newest first with distinct times: %v then %v", row.RepID, row.History[i-1].SubmittedAt, row.History[i].SubmittedAt)
			}
		}
		seen[row.RepID] = true
	}
	if len(seen) != len(reps) {
		t.Errorf("calls of %d reps, want %d", len(seen), len(reps))
	}
	for _, rep := range planReps {
		res := f.get(t, "admin", "/api/v1/plans/"+rep+"?from=2026-03")
		var a PlanAnswer
		if err := json.Unmarshal([]byte(body(t, res)), &a); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("plan of %s: %d %v", rep, res.StatusCode, err)
		}
		var goals []string
		for _, v := range a.History {
			goals = append(goals, strings.Join(v.Goals, ""))
		}
		slices.Sort(goals)
		want := []string{}
		for i := range plans {
			want = append(want, fmt.Sprintf("%s goal %d", rep, i))
		}
		if !slices.Equal(goals, want) || a.Plan == nil || strings.Join(a.Plan.Goals, "") != strings.Join(a.History[0].Goals, "") {
			t.Errorf("plan of %s: versions %q, latest %+v; want each of %q once, the newest counting", rep, goals, a.Plan, want)
		}
	}
}
