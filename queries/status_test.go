package queries_test

import (
	"context"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries"
)

func TestStatusCountsWithoutDuplicates(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	loadActivities(t, st, "acme", 5000)
	loadActivities(t, st, "acme", 5000)
	got, err := st.Status(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	want := map[queries.Kind]uint64{queries.KindReps: 0, queries.KindQuotas: 0, queries.KindStages: 0, queries.KindActivities: 5000, queries.KindDeals: 0}
	if len(got) != len(want) {
		t.Fatalf("%d kinds: %+v", len(got), got)
	}
	for _, ks := range got {
		if ks.Rows != want[ks.Kind] {
			t.Errorf("%s: %d rows, want %d", ks.Kind, ks.Rows, want[ks.Kind])
		}
		if (ks.Rows == 0) != (ks.First == nil) {
			t.Errorf("%s: first %v with %d rows", ks.Kind, ks.First, ks.Rows)
		}
	}
}
