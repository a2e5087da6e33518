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
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// loadDeals loads deal versions as one load.
func loadDeals(t *testing.T, st *queries.Store, deals []salesrecipe.Deal) queries.LoadResult {
	t.Helper()
	return commit(t, st, queries.KindDeals, func(_ context.Context, l *queries.Load) error {
		for _, d := range deals {
			l.AddDeal(d)
		}
		return nil
	})
}

// storedVersions reads every stored version of the firm.
func storedVersions(t *testing.T, st *queries.Store) []salesrecipe.Deal {
	t.Helper()
	vs, err := st.DealVersions(context.Background(), "acme", day(12, 31, 0))
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestSnapshotRowsGetInferredVersions loads one row per deal: a won deal, an open one updated after its creation,
// one without created_at or close date, and one created as it was updated. The first two get an open version at
// their creation in the unknown stage, with no close date and no amount; the third takes its first known time as
// created_at; loading the file again stores nothing.
func TestSnapshotRowsGetInferredVersions(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	won := salesrecipe.Deal{ID: "won", RepID: "r1", AccountID: "c1", Stage: "closed", Status: salesrecipe.StatusWon, Amount: 5000,
		CreatedAt: day(1, 5, 9), CloseDate: day(3, 2, 0), ClosedAt: day(3, 2, 15), UpdatedAt: day(3, 2, 15), Source: "referral"}
	open := salesrecipe.Deal{ID: "open", RepID: "r2", Stage: "demo", Status: salesrecipe.StatusOpen, Amount: 700,
		CreatedAt: day(2, 1, 9), CloseDate: day(4, 30, 0), UpdatedAt: day(2, 20, 9)}
	bare := salesrecipe.Deal{ID: "bare", RepID: "r2", Stage: "closed", Status: salesrecipe.StatusLost,
		ClosedAt: day(2, 10, 9), UpdatedAt: day(2, 11, 9)}
	fresh := salesrecipe.Deal{ID: "fresh", RepID: "r3", Stage: "demo", Status: salesrecipe.StatusOpen, Amount: 10,
		CreatedAt: day(3, 3, 3), UpdatedAt: day(3, 3, 3)}
	rows := []salesrecipe.Deal{won, open, bare, fresh}
	res := loadDeals(t, st, rows)
	if res.Loaded != 4 || res.Inferred != 2 || res.NoCreated != 1 || res.Superseded != 0 {
		t.Fatalf("first load: %+v, want 4 loaded, 2 inferred, 1 without created_at", res)
	}
	bare.CreatedAt = bare.ClosedAt
	want := []salesrecipe.Deal{bare, fresh, salesrecipe.InferredVersion(open), open, salesrecipe.InferredVersion(won), won}
	got := storedVersions(t, st)
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Fatalf("stored versions:\n%+v\nwant\n%+v", got, want)
	}
	inferred := got[2]
	if !inferred.Inferred || inferred.Stage != salesrecipe.UnknownStage || inferred.Amount != 0 || !inferred.CloseDate.IsZero() ||
		!inferred.ClosedAt.IsZero() || inferred.Status != salesrecipe.StatusOpen || !inferred.UpdatedAt.Equal(open.CreatedAt) {
		t.Errorf("inferred version %+v: want open since creation in %s, no amount, no close date", inferred, salesrecipe.UnknownStage)
	}
	fd, err := st.FirmData(context.Background(), "acme", day(12, 31, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	referrals := 0
	for i := range fd.Deals {
		if fd.Sources[fd.Source[i]] == "referral" {
			referrals++
		}
	}
	if !reflect.DeepEqual(fd.Sources, []string{"", "referral"}) || referrals != 1 {
		t.Errorf("firm data sources %q, %d referral deals; want the won deal's source, its inferred version's too", fd.Sources, referrals)
	}
	totals, err := st.StageTotals(context.Background(), "acme", day(2, 1, 0), day(3, 1, 0), day(2, 25, 0))
	if err != nil {
		t.Fatal(err)
	}
	wantTotals := []queries.StageTotal{
		{RepID: "r1", Stage: salesrecipe.UnknownStage, Deals: 1, UnknownAmount: 1},
		{RepID: "r2", Stage: "demo", Deals: 1, Amount: 700},
	}
	if !reflect.DeepEqual(totals, wantTotals) {
		t.Errorf("stage totals on Feb 25: %+v, want the won deal open in %s with an unknown amount", totals, salesrecipe.UnknownStage)
	}
	again := loadDeals(t, st, rows)
	if again.Loaded != 0 || again.Inferred != 0 || again.Duplicates != 4 {
		t.Errorf("same rows again: %+v, want nothing stored", again)
	}
	if n := len(storedVersions(t, st)); n != len(want) {
		t.Errorf("%d versions after loading the same rows twice, want %d", n, len(want))
	}
	mem, _ := salesrecipe.CompleteHistory(rows)
	if !reflect.DeepEqual(normalize(mem), normalize(want)) {
		t.Errorf("CompleteHistory:\n%+v\nwant what the store holds\n%+v", mem, want)
	}
}

// TestHistorySupersedesInferredVersions loads a snapshot, then the deal's full history: the recorded version at
// the creation replaces the inferred one, the store then holds exactly the history, and a later snapshot of a deal
// with recorded versions infers nothing.
func TestHistorySupersedesInferredVersions(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	first := salesrecipe.Deal{ID: "d1", RepID: "r1", Stage: "discovery", Status: salesrecipe.StatusOpen, Amount: 900,
		CreatedAt: day(1, 5, 9), CloseDate: day(2, 28, 0), UpdatedAt: day(1, 5, 9)}
	mid := first
	mid.Stage, mid.Amount, mid.UpdatedAt = "demo", 1200, day(1, 20, 9)
	last := mid
	last.Stage, last.Status, last.ClosedAt, last.UpdatedAt = "closed", salesrecipe.StatusWon, day(2, 25, 9), day(2, 25, 9)
	if res := loadDeals(t, st, []salesrecipe.Deal{last}); res.Inferred != 1 {
		t.Fatalf("snapshot: %+v, want one inferred version", res)
	}
	res := loadDeals(t, st, []salesrecipe.Deal{first, mid, last})
	if res.Loaded != 2 || res.Inferred != 0 || res.Superseded != 1 {
		t.Fatalf("history after the snapshot: %+v, want 2 loaded and 1 deal superseded", res)
	}
	want := []salesrecipe.Deal{first, mid, last}
	if got := storedVersions(t, st); !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Fatalf("stored versions:\n%+v\nwant the history\n%+v", got, want)
	}
	later := last
	later.UpdatedAt = day(3, 1, 0)
	if res := loadDeals(t, st, []salesrecipe.Deal{later}); res.Loaded != 1 || res.Inferred != 0 {
		t.Errorf("a later row of a deal with recorded versions: %+v, want 1 loaded, nothing inferred", res)
	}
}

// normalize makes times comparable with reflect.DeepEqual: UTC, at the store's millisecond precision.
func normalize(ds []salesrecipe.Deal) []salesrecipe.Deal {
	out := make([]salesrecipe.Deal, len(ds))
	for i, d := range ds {
		for _, p := range []*time.Time{&d.CreatedAt, &d.CloseDate, &d.ClosedAt, &d.UpdatedAt} {
			if !p.IsZero() {
				*p = p.UTC().Truncate(time.Millisecond)
			}
		}
		out[i] = d
	}
	return out
}

// snapshotFirm draws one row per deal of a small firm over 2026's first half, as a CRM export holds them, and
// the moment t; with future set, every row updated after t has a different outcome, amount, stage, close date
// and closing time (still after t), as if the deals had ended otherwise.
func snapshotFirm(seed uint64, t time.Time, future bool) []salesrecipe.Deal {
	rng := rand.New(rand.NewPCG(seed, 11))
	alt := rand.New(rand.NewPCG(seed, 12))
	var rows []salesrecipe.Deal
	for i := range 80 {
		created := day(1, 1, 0).Add(time.Duration(rng.Int64N(150*24)) * time.Hour)
		closed := created.Add(time.Duration(1+rng.Int64N(60*24)) * time.Hour)
		d := salesrecipe.Deal{ID: fmt.Sprintf("d%03d", i), RepID: fmt.Sprintf("r%d", rng.IntN(4)), AccountID: "c1",
			Stage: "closed", Status: salesrecipe.StatusWon, Amount: float64(rng.IntN(900000)) / 100,
			CreatedAt: created, CloseDate: salesrecipe.DayOf(closed), ClosedAt: closed, UpdatedAt: closed}
		switch rng.IntN(3) {
		case 0:
			d.Status, d.Amount = salesrecipe.StatusLost, 0 // as some CRMs export a lost deal
		case 1:
			d.Status, d.ClosedAt, d.Stage = salesrecipe.StatusOpen, time.Time{}, "negotiation"
		}
		if i%5 == 0 {
			d.CreatedAt = time.Time{}
		}
		if future && d.UpdatedAt.After(t) {
			d = otherFuture(alt, d, t)
		}
		rows = append(rows, d)
	}
	return rows
}

// otherFuture returns d as if it had ended otherwise after t: its rep, account and creation stay.
func otherFuture(rng *rand.Rand, d salesrecipe.Deal, t time.Time) salesrecipe.Deal {
	d.UpdatedAt = t.Add(time.Duration(1+rng.Int64N(40*24)) * time.Hour)
	d.Amount = float64(1 + rng.IntN(500000))
	d.Stage, d.Status, d.ClosedAt = "closed", salesrecipe.StatusWon, d.UpdatedAt
	if rng.IntN(2) == 0 {
		d.Status = salesrecipe.StatusLost
	}
	if rng.IntN(3) == 0 {
		d.Stage, d.Status, d.ClosedAt = "proposal", salesrecipe.StatusOpen, time.Time{}
	}
	d.CloseDate = salesrecipe.DayOf(d.UpdatedAt.AddDate(0, 0, rng.IntN(30)))
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Time{} // still unknown: its first known time is after t either way
	}
	return d
}

// TestInferredVersionsDoNotLeak is the leak test of snapshot histories: what the store answers as of t (a firm's
// data, and the deals of a period, which is all a forecast reads of deals) is the same whether the deals known
// only after t ended one way or another, and whether the deals created after t are in the file at all.
func TestInferredVersionsDoNotLeak(t *testing.T) {
	ctx := context.Background()
	asOf := day(3, 15, 0)
	rows := snapshotFirm(5, asOf, false)
	var known []salesrecipe.Deal // rows without the deals created after t
	for _, d := range rows {
		if d.CreatedAt.IsZero() || !d.CreatedAt.After(asOf) {
			known = append(known, d)
		}
	}
	stores := map[string]*queries.Store{}
	for name, firm := range map[string][]salesrecipe.Deal{"snapshot": rows, "other future": snapshotFirm(5, asOf, true), "known by t": known} {
		stores[name] = engine.Store(t, queries.Config{})
		loadDeals(t, stores[name], firm)
	}
	read := func(st *queries.Store) (*salesrecipe.FirmData, *salesrecipe.FirmData) {
		f, err := st.FirmData(ctx, "acme", asOf, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := st.PeriodDeals(ctx, "acme", day(3, 1, 0), day(4, 1, 0), asOf)
		if err != nil {
			t.Fatal(err)
		}
		return f, p
	}
	wantF, wantP := read(stores["snapshot"])
	open := 0
	for i := range wantF.Deals {
		vs := wantF.Deal(i)
		if v := vs[len(vs)-1]; v.Inferred && v.Status == salesrecipe.VersionOpen {
			open++
		}
	}
	if open < 5 {
		t.Fatalf("only %d deals open at t through inferred versions; the firm does not test the leak", open)
	}
	for _, name := range []string{"other future", "known by t"} {
		gotF, gotP := read(stores[name])
		compareFirmData(t, asOf, gotF, wantF)
		compareFirmData(t, asOf, gotP, wantP)
	}
}

// TestLaterVersionNamesTheSource loads a deal from an export without sources, then a later export of it that
// names one: the deal's source is the last one its versions name, in the store's firm data and in Memory's, and
// only from the moment that version is known.
func TestLaterVersionNamesTheSource(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	mem := querytest.NewMemory()
	open := salesrecipe.Deal{ID: "d1", RepID: "r1", Stage: "demo", Status: salesrecipe.StatusOpen, Amount: 900,
		CreatedAt: day(1, 5, 9), CloseDate: day(3, 31, 0), UpdatedAt: day(1, 5, 9)}
	won := open
	won.Stage, won.Status, won.ClosedAt, won.UpdatedAt, won.Source = "closed", salesrecipe.StatusWon, day(3, 2, 15), day(3, 2, 15), "referral"
	loadDeals(t, st, []salesrecipe.Deal{open})
	loadDeals(t, st, []salesrecipe.Deal{won})
	mem.AddDeals("acme", open)
	mem.AddDeals("acme", won)
	for _, tc := range []struct {
		asOf time.Time
		want string
	}{{day(2, 1, 0), ""}, {day(3, 3, 0), "referral"}} {
		for name, src := range map[string]interface {
			FirmData(context.Context, string, time.Time, []time.Time) (*salesrecipe.FirmData, error)
		}{"store": st, "memory": mem} {
			fd, err := src.FirmData(context.Background(), "acme", tc.asOf, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(fd.Deals) != 1 || fd.Sources[fd.Source[0]] != tc.want {
				t.Errorf("%s as of %s: %d deals, source %q, want %q", name, tc.asOf.Format(time.DateOnly), len(fd.Deals), fd.Sources[fd.Source[0]], tc.want)
			}
		}
	}
}
