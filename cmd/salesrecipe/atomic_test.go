package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// versionFile writes 105 activities of one rep spread over 2026's first six
// months as perMonth says; the two versions hold the same ids.
func versionFile(t *testing.T, perMonth []uint64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("activity_id,rep_id,kind,occurred_at\n")
	id := 0
	for m, n := range perMonth {
		for i := range n {
			fmt.Fprintf(&b, "a%03d,r1,call,2026-%02d-%02dT09:00:00Z\n", id, m+1, 1+i%27)
			id++
		}
	}
	path := filepath.Join(t.TempDir(), "activities.csv")
	writeTestFile(t, path, b.String())
	return path
}

// firmMonths reads firm default's activities per month of 2026's first half and what status counts.
func firmMonths(ctx context.Context, st *queries.Store) ([]uint64, uint64, error) {
	return querytest.MonthCounts(ctx, st, "default", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 6)
}

func TestReadersSeeWholeLoadsThroughTheServer(t *testing.T) {
	versions := [][]uint64{{5, 10, 15, 20, 25, 30}, {30, 25, 20, 15, 10, 5}}
	files := []string{versionFile(t, versions[0]), versionFile(t, versions[1])}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	sv := startListeningServe(t, bin, "--refit-every", "0")
	addr, store, logs := sv.addr, sv.store, sv.logs
	chDSN := store[1]
	// Loads alternate between another process (through the engine's
	// ClickHouse listener) and the API (committed inside the serving process).
	load := func(i int) error {
		f := files[i%2]
		if i%4 < 2 {
			return ingestThrough(t, f, store...)
		}
		return postActivities(addr, f)
	}
	if err := load(0); err != nil {
		t.Fatal(err)
	}
	// Readers in this process reach the engine as a second process does.
	ctx := context.Background()
	st, err := queries.Open(ctx, queries.Config{DSN: chDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var done atomic.Bool
	var seen [2]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			for !done.Load() {
				months, status, err := firmMonths(ctx, st)
				i := slices.IndexFunc(versions, func(v []uint64) bool { return slices.Equal(v, months) })
				switch {
				case err != nil:
					errs <- err
					return
				case i < 0 || status != 105:
					errs <- fmt.Errorf("a reader saw months %v and status %d: part of a load (want %v or %v, and 105)", months, status, versions[0], versions[1])
					return
				}
				seen[i].Add(1)
			}
		})
	}
	for i := 1; i <= 4 && len(errs) == 0; i++ {
		if err := load(i); err != nil {
			t.Error(err)
			break
		}
		// Until a reader has seen this load, so reads and loads overlap every time.
		n, end := seen[i%2].Load(), time.Now().Add(time.Minute)
		for seen[i%2].Load() == n && len(errs) == 0 && time.Now().Before(end) {
			time.Sleep(time.Millisecond)
		}
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%v\n%s", err, logs.String())
	}
	if seen[0].Load() == 0 || seen[1].Load() == 0 {
		t.Errorf("readers saw version A %d times and B %d times; want both", seen[0].Load(), seen[1].Load())
	}
	t.Logf("4 reloads (2 by another process, 2 by the API): readers saw version A %d times and version B %d times, nothing else", seen[0].Load(), seen[1].Load())
}
