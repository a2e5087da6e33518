package synth

import (
	"math"
	"reflect"
	"testing"

	"github.com/salesrecipe/salesrecipe"
)

func TestSimulateCalls(t *testing.T) {
	tr := Truth{Reps: []RepTruth{{RepID: "r3", Team: "West"}, {RepID: "r1", Team: "East"}, {RepID: "r2", Team: "East"}}}
	styles := CallStyles(tr)
	if want := []CallStyle{{"r1", "East", SandbagFactor}, {"r2", "East", HappyEarsFactor}, {"r3", "West", 1}}; !reflect.DeepEqual(styles, want) {
		t.Fatalf("styles %+v, want %+v", styles, want)
	}
	mar, _ := salesrecipe.ParsePeriod("2026-03")
	won := func(string, salesrecipe.Period) float64 { return 10000 }
	calls := SimulateCalls(7, styles, []salesrecipe.Period{mar, mar.Next()}, won)
	if again := SimulateCalls(7, styles, []salesrecipe.Period{mar, mar.Next()}, won); !reflect.DeepEqual(calls, again) {
		t.Fatal("the same seed gave other calls")
	}
	if len(calls) != 2*(3+2) {
		t.Fatalf("%d calls, want 3 reps and 2 teams per month", len(calls))
	}
	east := 0.0
	for _, c := range calls[:5] {
		if err := c.Validate(); err != nil {
			t.Errorf("invalid call %+v: %v", c, err)
		}
		if c.SubmittedAt.Day() != 2 || c.Period != mar {
			t.Errorf("call %+v: want March, submitted on the 2nd", c)
		}
		if c.TeamCall() {
			if c.Team == "East" && math.Abs(c.Commit-east) > 0.01 {
				t.Errorf("East's manager commits %v, the reps %v", c.Commit, east)
			}
			continue
		}
		f := map[string]float64{"r1": SandbagFactor, "r2": HappyEarsFactor, "r3": 1}[c.RepID]
		if c.Commit < 0.9*f*10000-0.01 || c.Commit > 1.1*f*10000+0.01 {
			t.Errorf("%s commits %v, want %v x 10,000 within 10%%", c.RepID, c.Commit, f)
		}
		if c.Team == "East" {
			east += c.Commit
		}
	}
}
