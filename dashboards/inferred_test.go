package dashboards

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries"
)

// TestAccountsOfInferredDeals checks that an account whose open deals have no expected close date has a null
// next_close (not 0001-01-01) and counts its inferred deals, and that one with a dated deal keeps its date.
func TestAccountsOfInferredDeals(t *testing.T) {
	p := salesrecipe.NewPeriod(salesrecipe.GrainMonth, time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC))
	closeOn := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	deals := []salesrecipe.Deal{
		{ID: "d1", AccountID: "a", Stage: salesrecipe.UnknownStage, Status: salesrecipe.StatusOpen, Inferred: true},
		{ID: "d2", AccountID: "a", Stage: salesrecipe.UnknownStage, Status: salesrecipe.StatusOpen, Inferred: true},
		{ID: "d3", AccountID: "b", Stage: "demo", Status: salesrecipe.StatusOpen, Amount: 500, CloseDate: closeOn},
	}
	got := map[string]AccountLine{}
	for _, a := range accountsOf(deals, p) {
		got[a.Account] = a
	}
	tests := []struct {
		account, json string
		inferred      int
	}{
		{"a", `"next_close":null`, 2},
		{"b", `"next_close":"2026-04-20T00:00:00Z"`, 0},
	}
	for _, tc := range tests {
		a := got[tc.account]
		raw, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), tc.json) || a.InferredDeals != tc.inferred {
			t.Errorf("account %s: %s, want %s and %d inferred deals", tc.account, raw, tc.json, tc.inferred)
		}
	}
}

// TestStageLabelNamesUnknown checks that the stage of inferred versions is labelled as unknown on pages, and that
// the stage totals show no stages-file probability for it.
func TestStageLabelNamesUnknown(t *testing.T) {
	if got := stageLabel(salesrecipe.UnknownStage); !strings.HasPrefix(got, "unknown (") {
		t.Errorf("label %q", got)
	}
	if got := stageLabel("demo"); got != "demo" {
		t.Errorf("label %q, want demo", got)
	}
	sec, err := stagesSection(&Pipeline{Stages: []StageLine{{Stage: salesrecipe.UnknownStage, OpenDeals: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if row := sec.Table.Rows[0]; !strings.HasPrefix(row[0].Text, "unknown (") || row[1].Text != "—" {
		t.Errorf("row %+v: want the unknown label and no probability", row[:2])
	}
}

// TestStageLinesValueUnknownAmounts checks that the unknown stage's row is marked inferred, has no probability
// (null in JSON) and no weighted amount, and values its deals at each rep's estimate, and that a stage missing from
// the stages file has no probability either while a known one keeps its own.
func TestStageLinesValueUnknownAmounts(t *testing.T) {
	totals := []queries.StageTotal{
		{RepID: "r1", Stage: salesrecipe.UnknownStage, Deals: 2, UnknownAmount: 2},
		{RepID: "r2", Stage: salesrecipe.UnknownStage, Deals: 1, UnknownAmount: 1},
		{RepID: "r1", Stage: "demo", Deals: 2, Amount: 500, DealsInPeriod: 2, AmountInPeriod: 500, UnknownAmount: 1, UnknownInPeriod: 1},
		{RepID: "r1", Stage: "mystery", Deals: 1, Amount: 40, DealsInPeriod: 1, AmountInPeriod: 40},
	}
	stages := []salesrecipe.Stage{{Name: "demo", Probability: 0.5, Category: salesrecipe.CategoryPipeline}}
	est := forecast.AmountEstimates{ByRep: map[string]float64{"r1": 1000}, Firm: 300}
	lines := stageLines(totals, stages, est, func(string) bool { return true })
	want := []StageLine{
		{Stage: "demo", Probability: ptr(0.5), OpenDeals: 2, OpenAmount: 500, PeriodDeals: 2, PeriodAmount: 500, Weighted: 250, UnknownAmountDeals: 1, EstimatedAmount: 1000},
		{Stage: salesrecipe.UnknownStage, Inferred: true, OpenDeals: 3, UnknownAmountDeals: 3, EstimatedAmount: 2300},
		{Stage: "mystery", OpenDeals: 1, OpenAmount: 40, PeriodDeals: 1, PeriodAmount: 40},
	}
	got, _ := json.Marshal(lines)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Fatalf("stage lines\n%s\nwant\n%s", got, wantJSON)
	}
	if !strings.Contains(string(got), `"stage":"(unknown)","inferred":true,"probability":null`) {
		t.Errorf("the unknown stage's JSON %s: want inferred and a null probability", got)
	}
}

// TestPipelineOfSnapshotFirm serves a firm loaded from a one-row-per-deal export, at a past moment when deals
// known only by their latest row were open: the pipeline API and page show them in the unknown stage, marked
// inferred, with a null probability and an estimated value per deal near the firm's mean won amount (forecast
// checks that EstimateAmounts is what the forecast values such a deal at).
func TestPipelineOfSnapshotFirm(t *testing.T) {
	f := newShapedFixture(t, synth.ShapeSnapshot, ingest.KindReps, ingest.KindQuotas, ingest.KindStages, ingest.KindDeals)
	const query = "?period=2026-01&as_of=2026-01-20"
	var p Pipeline
	if err := json.Unmarshal([]byte(body(t, f.get(t, "admin", "/api/v1/pipeline"+query))), &p); err != nil {
		t.Fatal(err)
	}
	var unknown *StageLine
	for i, l := range p.Stages {
		if l.Stage == salesrecipe.UnknownStage {
			unknown = &p.Stages[i]
		}
	}
	if unknown == nil {
		t.Fatalf("no %s stage in %+v", salesrecipe.UnknownStage, p.Stages)
	}
	if !unknown.Inferred || unknown.Probability != nil || unknown.Weighted != 0 || unknown.OpenDeals == 0 ||
		unknown.UnknownAmountDeals != unknown.OpenDeals || unknown.EstimatedAmount <= 0 {
		t.Errorf("unknown stage %+v: want inferred deals, no probability, a positive estimated value", *unknown)
	}
	est, err := forecast.EstimateAmounts(t.Context(), f.st, "acme", salesrecipe.GrainMonth, p.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if mean := unknown.EstimatedAmount / float64(unknown.UnknownAmountDeals); mean < 0.2*est.Firm || mean > 5*est.Firm {
		t.Errorf("estimated %.0f a deal, the firm's mean won amount is %.0f", mean, est.Firm)
	}
	t.Logf("as of %s: %d inferred open deals, estimated %.0f (firm mean won %.0f)", p.AsOf, unknown.OpenDeals, unknown.EstimatedAmount, est.Firm)
	res := f.get(t, "admin", "/pipeline"+query)
	b := body(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(b, "(est.)") || !strings.Contains(b, "unknown amount") {
		t.Errorf("pipeline page: status %d, want the estimated values marked (est.)", res.StatusCode)
	}
}
