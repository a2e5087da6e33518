package queries_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries"
)

func TestCheckHealthTellsReadFromWrite(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	var readOnly atomic.Bool
	ro := engine.ReadOnlyStore(t, st, &readOnly)
	ctx := context.Background()
	if h := ro.CheckHealth(ctx); h.Read != nil || h.Write != nil {
		t.Fatalf("a writable store: %+v", h)
	}
	readOnly.Store(true)
	h := ro.CheckHealth(ctx)
	if h.Read != nil || h.Write == nil || !strings.Contains(h.Write.Error(), "readonly") {
		t.Fatalf("a read-only store: read %v, write %v; want read ok and the engine's readonly refusal", h.Read, h.Write)
	}
	readOnly.Store(false)
	var n uint64
	if err := st.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_load\\_%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d staging tables left by the health checks (%v)", n, err)
	}
	if rows, err := st.Reps(ctx, "_health"); err != nil || len(rows) != 0 {
		t.Errorf("the health check stored reps: %v %v", rows, err)
	}
}
