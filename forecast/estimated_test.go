package forecast

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// snapshotDeals are one-row deals (a CRM's opportunity export) around T = 2026-04-15: r1 won 1,000 and
// 3,000 and r2 10,000 in March and April before T; r1's deal "later" was created in March and won
// laterAmount in May, so at T it is open with an inferred version of unknown amount.
func snapshotDeals(laterAmount float64) []salesrecipe.Deal {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	won := func(id, rep string, amount float64, created, closed time.Time) salesrecipe.Deal {
		return salesrecipe.Deal{ID: id, RepID: rep, Stage: "closed", Status: salesrecipe.StatusWon, Amount: amount,
			CreatedAt: created, ClosedAt: closed, UpdatedAt: closed}
	}
	return []salesrecipe.Deal{
		won("w1", "r1", 1000, day(2, 1), day(3, 5)),
		won("w2", "r1", 3000, day(3, 1), day(4, 2)),
		won("w3", "r2", 10000, day(2, 20), day(3, 25)),
		won("old", "r1", 1e6, day(1, 2), day(2, 10)), // before the window: not counted
		won("later", "r1", laterAmount, day(3, 10), day(5, 6)),
	}
}

// TestInferredAmountIsEstimatedFromEarlierWins checks that an open deal known only by its later won row is
// valued, at T, at the mean amount of its rep's wins in the period before T's and so far, shrunk toward
// the firm's (none of which is known only after T: the deal's own final amount does not leak), the same
// from a fit's book and from the store's read of one forecast.
func TestInferredAmountIsEstimatedFromEarlierWins(t *testing.T) {
	at := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, at)
	firm := 14000.0 / 3
	want := (4000 + amountPrior*firm) / (2 + amountPrior)
	for _, later := range []float64{5000, 0, 750000} {
		rows, _ := salesrecipe.CompleteHistory(snapshotDeals(later))
		fd := salesrecipe.NewFirmData(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil, rows, nil)
		mem := querytest.NewMemory()
		mem.AddDeals("acme", snapshotDeals(later)...)
		_, _, fromStore, err := storeReader{st: mem, firm: "acme"}.deals(context.Background(), p, at)
		if err != nil {
			t.Fatal(err)
		}
		for name, open := range map[string][]openDeal{"book": newBook(fd).open(at, amountWindow(p.Grain, at)), "store": fromStore} {
			if len(open) != 1 {
				t.Fatalf("%s, later won %v: %d open deals at T, want 1", name, later, len(open))
			}
			d := open[0]
			if !d.Estimated || d.Stage != salesrecipe.UnknownStage || math.Abs(d.Amount-want) > 1e-6 {
				t.Errorf("%s, later won %v: open %+v, want an estimated amount %.2f", name, later, d, want)
			}
		}
	}
}

// TestEstimateAmountsMatchTheForecast checks that the estimates the pipeline pages show are the values the
// forecast gives the open deals of unknown amount: r1's shrunk mean, r2's, and the firm's for a rep with no wins.
func TestEstimateAmountsMatchTheForecast(t *testing.T) {
	at := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	mem := querytest.NewMemory()
	mem.AddDeals("acme", snapshotDeals(5000)...)
	got, err := EstimateAmounts(context.Background(), mem, "acme", salesrecipe.GrainMonth, at)
	if err != nil {
		t.Fatal(err)
	}
	firm := 14000.0 / 3
	tests := []struct {
		rep  string
		want float64
	}{
		{"r1", (4000 + amountPrior*firm) / (2 + amountPrior)},
		{"r2", (10000 + amountPrior*firm) / (1 + amountPrior)},
		{"nobody", firm},
	}
	for _, tc := range tests {
		if v := got.Of(tc.rep); math.Abs(v-tc.want) > 1e-6 {
			t.Errorf("%s: estimate %.2f, want %.2f", tc.rep, v, tc.want)
		}
	}
	_, _, open, err := storeReader{st: mem, firm: "acme"}.deals(context.Background(), salesrecipe.NewPeriod(salesrecipe.GrainMonth, at), at)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].Amount != got.Of("r1") {
		t.Errorf("forecast values the open deal at %+v, pages at %.2f", open, got.Of("r1"))
	}
}

// TestEstimateWithoutWins checks that an inferred deal's amount stays 0 while nobody has won yet, and that a
// rep without wins gets the firm's mean.
func TestEstimateWithoutWins(t *testing.T) {
	w := &wonMeans{byRep: map[int32]*tally{0: {n: 2, won: 4000}}}
	if got := w.estimate(1); got != 0 {
		t.Errorf("no wins: estimate %v, want 0", got)
	}
	w.firm = tally{n: 4, won: 12000}
	if got := w.estimate(1); got != 3000 {
		t.Errorf("rep without wins: estimate %v, want the firm's 3000", got)
	}
	if got, want := w.estimate(0), (4000+amountPrior*3000.0)/(2+amountPrior); got != want {
		t.Errorf("rep with 2 wins: estimate %v, want %v", got, want)
	}
}

// TestEstimatedNote checks that a forecast says how many open deals it valued at an estimated amount.
func TestEstimatedNote(t *testing.T) {
	if got := estimatedNote([]openDeal{{Amount: 100}}); got != "" {
		t.Errorf("no estimated deal: note %q", got)
	}
	got := estimatedNote([]openDeal{{Amount: 100}, {Amount: 1500, Estimated: true}, {Amount: 2500, Estimated: true}})
	if !strings.HasPrefix(got, "2 open deals") || !strings.Contains(got, "4000 in all (estimated)") {
		t.Errorf("note %q", got)
	}
}

// TestUnknownStageHasNoFileProbability checks that the stage-weighted view gives the stage of inferred versions
// no probability (neither the stages file's nor the fallback).
func TestUnknownStageHasNoFileProbability(t *testing.T) {
	fs := &featureSet{file: map[string]float64{"demo": 0.4}, fallback: 0.3}
	for stage, want := range map[string]float64{"demo": 0.4, "other": 0.3, salesrecipe.UnknownStage: 0} {
		if got := fs.fileProbability(stage); got != want {
			t.Errorf("stage %q: probability %v, want %v", stage, got, want)
		}
	}
}

// TestUndatedDealIsInThePeriodsOpenPipeline checks that an open deal without an expected close date (a CRM
// export without one, or an inferred history) is in the period's open and weighted pipeline, so a past
// forecast on a one-row export sees the pipeline that was open then, but not in the stages file's view,
// which goes by expected close dates; a dated deal expected after the period stays pulled-in only.
func TestUndatedDealIsInThePeriodsOpenPipeline(t *testing.T) {
	at := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, at)
	stages := []string{"demo", salesrecipe.UnknownStage}
	w := &WinModel{Stages: stages, AmountRef: 1000, Coef: make([]float64, stageBlocks*len(stages)+winInputs)}
	created := at.AddDate(0, -1, 0)
	tests := []struct {
		name              string
		deal              openDeal
		open, pfile, pull bool
	}{
		{"undated inferred", openDeal{RepID: "r1", Stage: salesrecipe.UnknownStage, Amount: 2000, Created: created, Estimated: true}, true, false, false},
		{"undated with a stage", openDeal{RepID: "r1", Stage: "demo", Amount: 2000, Created: created}, true, false, false},
		{"expected in the period", openDeal{RepID: "r1", Stage: "demo", Amount: 2000, Created: created, CloseDate: at.AddDate(0, 0, 5)}, true, true, false},
		{"expected later", openDeal{RepID: "r1", Stage: "demo", Amount: 2000, Created: created, CloseDate: at.AddDate(0, 2, 0)}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &featureSet{in: &inputs{period: p, at: at, open: []openDeal{tt.deal}}, pm: &Pipeline{Win: w},
				file: map[string]float64{"demo": 0.4}, fallback: 0.3}
			f := &repFeatures{}
			fs.pipeline(func(string) *repFeatures { return f })
			if got := f.Open > 0 && f.PIn > 0; got != tt.open {
				t.Errorf("open pipeline %v, weighted %v: in the period's pipeline %v, want %v", f.Open, f.PIn, got, tt.open)
			}
			if got := f.PFile > 0; got != tt.pfile {
				t.Errorf("stages-file pipeline %v, want counted %v", f.PFile, tt.pfile)
			}
			if got := f.PPull > 0; got != tt.pull {
				t.Errorf("pulled-in %v, want counted %v", f.PPull, tt.pull)
			}
		})
	}
}
