package queries_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

func TestCallsKeepEverySubmission(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	dec, _ := salesrecipe.ParsePeriod("2026-12")
	q4, _ := salesrecipe.ParsePeriod("2026-Q4")
	nov, _ := salesrecipe.ParsePeriod("2026-11")
	at := time.Date(2026, 12, 2, 9, 30, 0, 123456000, time.UTC)
	calls := []salesrecipe.Call{
		{Period: dec, RepID: "r1", Team: "East", Commit: 40000, BestCase: 55000.5, Note: "Acme renewal", SubmittedBy: "Ray", SubmittedAt: at},
		{Period: dec, RepID: "r1", Team: "East", Commit: 42000, BestCase: 55000, Note: "", SubmittedBy: "Ray", SubmittedAt: at.Add(time.Hour)},
		{Period: dec, Team: "East", Commit: 90000, BestCase: 120000, Note: "cut r1's best case", SubmittedBy: "Max", SubmittedAt: at.Add(2 * time.Hour)},
		{Period: q4, Team: "East", Commit: 1, BestCase: 2, SubmittedBy: "Max", SubmittedAt: at},
		{Period: nov, RepID: "r2", Team: "West", Commit: 5, BestCase: 6, SubmittedBy: "Wes", SubmittedAt: at.Add(-30 * 24 * time.Hour)},
	}
	for _, c := range calls {
		if err := st.SaveCall(ctx, "acme", c); err != nil {
			t.Fatal(err)
		}
	}
	// A retried insert of the same submission is read once; another firm's call is never read.
	if err := st.SaveCall(ctx, "acme", calls[0]); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCall(ctx, "globex", calls[0]); err != nil {
		t.Fatal(err)
	}
	got, err := st.Calls(ctx, "acme", dec.Start, dec.Start, at.Add(90*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// December-starting periods only (December and Q4 start apart), submitted by 11:00.
	if len(got) != 2 || got[0] != calls[0] || got[1] != calls[1] {
		t.Fatalf("calls = %+v\nwant the first two submissions as sent", got)
	}
	all, err := st.Calls(ctx, "acme", q4.Start, dec.Start, at.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Periods starting October to December: all five, oldest submission first.
	if len(all) != 5 || all[0] != calls[4] || all[4] != calls[2] {
		t.Fatalf("October to December calls = %+v, want all five, oldest first", all)
	}
}

func TestSaveCallRefusesInvalid(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	dec, _ := salesrecipe.ParsePeriod("2026-12")
	err := st.SaveCall(context.Background(), "acme", salesrecipe.Call{Period: dec, RepID: "r1", Commit: 2, BestCase: 1, SubmittedBy: "x", SubmittedAt: time.Now()})
	var fe salesrecipe.FieldError
	if !errors.As(err, &fe) || fe.Field != "commit" {
		t.Fatalf("got %v, want a commit problem", err)
	}
}
