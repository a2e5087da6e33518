package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

func TestRevokedSessionsOutliveTheStore(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	now := time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	if err := st.RevokeSession(ctx, "live", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, "over", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, "live", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := st.RevokedSessions(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["live"].Equal(now.Add(time.Hour)) {
		t.Errorf("revoked sessions = %v, want only live until %s", got, now.Add(time.Hour))
	}
}
