package dashboards

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
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
