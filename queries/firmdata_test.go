package queries_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// smallFirm returns the deal versions and activities of a small random firm over 2026's first
// quarter: deals that move through stages, get pushed, won or lost, change hands, and are loaded
// twice in places; activities at any second of any day.
func smallFirm(seed uint64) ([]salesrecipe.Deal, []salesrecipe.Activity) {
	rng := rand.New(rand.NewPCG(seed, 7))
	start := day(1, 1, 0)
	at := func(maxDays int) time.Time {
		return start.Add(time.Duration(rng.Int64N(int64(maxDays)*86400_000)) * time.Millisecond)
	}
	stages := []string{"discovery", "demo", "proposal", "negotiation"}
	var deals []salesrecipe.Deal
	for i := range 60 {
		d := salesrecipe.Deal{ID: fmt.Sprintf("d%03d", i), RepID: fmt.Sprintf("r%d", rng.IntN(6)), AccountID: "c1",
			Stage: stages[0], Status: salesrecipe.StatusOpen, UpdatedAt: at(80)}
		cents := rng.IntN(100000)
		d.CreatedAt, d.CloseDate = d.UpdatedAt.Add(-time.Duration(rng.IntN(5))*24*time.Hour), salesrecipe.DayOf(d.UpdatedAt).AddDate(0, 0, 20+rng.IntN(40))
		if i%9 == 0 {
			d.CreatedAt = time.Time{}
		}
		for v := range 1 + rng.IntN(6) {
			d.Amount = float64(cents) / 100 // what a Decimal(18, 2) holds
			deals = append(deals, d)
			if v%3 == 2 {
				deals = append(deals, d) // loaded twice
			}
			d.UpdatedAt = d.UpdatedAt.Add(time.Duration(1+rng.IntN(200)) * time.Hour)
			d.Stage, cents = stages[rng.IntN(len(stages))], cents+rng.IntN(100000)
			d.CloseDate = d.CloseDate.AddDate(0, 0, rng.IntN(15)-5)
			if rng.IntN(8) == 0 {
				d.RepID = fmt.Sprintf("r%d", rng.IntN(6))
			}
			if rng.IntN(5) == 0 {
				d.Status, d.ClosedAt, d.Stage = salesrecipe.StatusWon, d.UpdatedAt, "closed"
				if rng.IntN(2) == 0 {
					d.Status = salesrecipe.StatusLost
				}
			}
		}
	}
	var acts []salesrecipe.Activity
	for i := range 3000 {
		acts = append(acts, salesrecipe.Activity{ID: fmt.Sprintf("a%d", i), RepID: fmt.Sprintf("r%d", rng.IntN(7)),
			Kind: []string{"call", "email", "meeting"}[rng.IntN(3)], OccurredAt: at(90)})
	}
	return deals, acts
}

// TestFirmDataFromStoreEqualsInMemory is the contract of the store's firm data: loaded into the
// engine, a firm reads back (deal versions, whole days and the own days of moments) exactly as
// salesrecipe.NewFirmData builds it from the same rows, at several moments.
func TestFirmDataFromStoreEqualsInMemory(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	ctx := context.Background()
	deals, acts := smallFirm(3)
	loadHistory(t, st, deals, acts)
	moments := []time.Time{day(1, 10, 0), day(2, 3, 7).Add(1234567 * time.Millisecond), day(2, 17, 5), day(2, 17, 23), day(3, 1, 12), day(5, 1, 0)}
	for i, asOf := range []time.Time{day(2, 20, 9).Add(17 * time.Minute), day(4, 2, 0), day(4, 2, 0)} {
		if i == 2 {
			queries.SetDealReads(st, 4, 2) // ranges of a few deals: versions of one deal never split
		}
		got, err := st.FirmData(ctx, "acme", asOf, moments)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := salesrecipe.CompleteHistory(deals)
		want := salesrecipe.NewFirmData(asOf, moments, stored, acts)
		if len(want.Deals) == 0 || len(want.Daily) == 0 || len(want.Partial) < 3 {
			t.Fatalf("as of %s: the firm is too thin to compare: %d deals, %d daily cells, %d moments", asOf, len(want.Deals), len(want.Daily), len(want.Partial))
		}
		compareFirmData(t, asOf, got, want)
	}
}

// compareFirmData fails on the first part of two firm data that differs.
func compareFirmData(t *testing.T, asOf time.Time, got, want *salesrecipe.FirmData) {
	t.Helper()
	parts := []struct {
		name      string
		got, want any
	}{
		{"as of", got.AsOf.UTC(), want.AsOf.UTC()}, {"reps", got.Reps, want.Reps}, {"stages", got.Stages, want.Stages},
		{"kinds", got.Kinds, want.Kinds}, {"deals", got.Deals, want.Deals}, {"first day", got.FirstDay, want.FirstDay},
		{"days", got.Days, want.Days}, {"daily counts", got.Daily, want.Daily}, {"moments", len(got.Partial), len(want.Partial)},
	}
	for _, p := range parts {
		if !reflect.DeepEqual(p.got, p.want) {
			t.Fatalf("as of %s: %s differ:\nstore  %v\nmemory %v", asOf, p.name, p.got, p.want)
		}
	}
	for i := range want.Versions {
		if got.Versions[i] != want.Versions[i] {
			t.Fatalf("as of %s: version %d differs:\nstore  %+v\nmemory %+v", asOf, i, got.Versions[i], want.Versions[i])
		}
	}
	if len(got.Versions) != len(want.Versions) {
		t.Fatalf("as of %s: %d versions from the store, %d in memory", asOf, len(got.Versions), len(want.Versions))
	}
	for i, p := range want.Partial {
		if !got.Partial[i].At.Equal(p.At) || !reflect.DeepEqual(got.Partial[i].Counts, p.Counts) {
			t.Fatalf("as of %s: the day of %s differs:\nstore  %v\nmemory %v", asOf, p.At, got.Partial[i].Counts, p.Counts)
		}
	}
}
