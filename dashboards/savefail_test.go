package dashboards

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPagesServedWhenOptionalWritesFail serves the forecast API and the team page from a store
// whose engine refuses every write (readonly = 2, as a full disk or a read-only replica would):
// the answers are served, each failed save is reported for the metric, and once the store
// writes again the day's snapshot is stored.
func TestPagesServedWhenOptionalWritesFail(t *testing.T) {
	if raceEnabled {
		t.Skip("one request at a time: the answers, not concurrency; make test runs it without the race detector")
	}
	f := newFixture(t)
	var readOnly atomic.Bool
	ro := engine.ReadOnlyStore(t, f.st, &readOnly)
	var mu sync.Mutex
	failed := map[string]int{}
	srv, err := New(Config{Store: ro, Users: f.users, Now: f.clock.Now, SessionKey: []byte(strings.Repeat("k", 32)),
		SaveFailed: func(what string) { mu.Lock(); failed[what]++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	readOnly.Store(true)
	for _, path := range []string{"/api/v1/forecast", "/team"} {
		if res := f.get(t, "admin", path); res.StatusCode != http.StatusOK {
			t.Fatalf("%s while writes fail: status %d %s", path, res.StatusCode, body(t, res))
		}
	}
	mu.Lock()
	if failed["snapshot"] != 1 || failed["recipe"] != 1 {
		t.Errorf("failed saves reported: %v, want one snapshot and one recipe", failed)
	}
	mu.Unlock()
	snaps, err := f.st.Snapshots(context.Background(), "acme", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(snaps) != 0 {
		t.Fatalf("snapshots stored by a read-only store: %d (%v)", len(snaps), err)
	}

	readOnly.Store(false)
	f.clock.Add(2 * time.Minute) // past the cached answer's freshness
	if res := f.get(t, "admin", "/api/v1/forecast"); res.StatusCode != http.StatusOK {
		t.Fatalf("forecast once writes work: status %d", res.StatusCode)
	}
	// The stale answer is served and refreshed in the background, which stores the snapshot.
	for try := 0; len(snaps) == 0; try++ {
		if try == 300 {
			t.Fatalf("the day's snapshot was not stored within 30 s of the store writing again (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
		snaps, err = f.st.Snapshots(context.Background(), "acme", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	}
}
