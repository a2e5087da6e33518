package main

import (
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/forecast"
)

func TestPrintCallScores(t *testing.T) {
	var none strings.Builder
	if err := printCallScores(&none, nil); err != nil || none.Len() != 0 {
		t.Fatalf("without calls: %q, %v", none.String(), err)
	}
	var b strings.Builder
	err := printCallScores(&b, []forecast.CallScore{
		{Method: forecast.MethodManagerCommit, Team: "East", Forecasts: 2, WAPE: 0.2, Bias: -0.2, ModelWAPE: 0.0667, ModelBias: -0.0667},
		{Method: forecast.MethodRepCommit, RepID: "r1", Team: "East", Forecasts: 4, WAPE: 0.5, Bias: -0.5, ModelWAPE: 0.1, ModelBias: 0.1},
		{Method: forecast.MethodRepCommit, All: true, Forecasts: 4, WAPE: 0.5, Bias: -0.5, ModelWAPE: 0.1, ModelBias: 0.1},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"method          call of    moments  call WAPE", "manager_commit  team East  2        20.0%      -20.0%     6.7%        -6.7%",
		"rep_commit      r1         4        50.0%      -50.0%     10.0%       +10.0%", "rep_commit      all"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
