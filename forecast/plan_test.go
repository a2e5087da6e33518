package forecast

import (
	"maps"
	"testing"

	"github.com/salesrecipe/salesrecipe/model"
)

func TestPlanObjectives(t *testing.T) {
	m := needsModel() // demo worth 1000, call 100, e-mail 51 but not known above zero
	m.Recipe.Baseline = 2000
	m.Recipe.Reps = []model.RepEffect{{Rep: "a", Effect: 1000}, {Rep: "b", Effect: -500}}
	firm := map[string]float64{"demo": 2, "call": 10}
	tests := []struct {
		name  string
		rep   string
		quota float64
		usual map[string]float64
		want  map[string]float64
	}{
		// Rep a: 15,000 - 2,000 - 1,000 = 12,000 from activity; the mix 4 demos + 20 calls is worth 6,000: twice it.
		{"scaled mix", "a", 15000, map[string]float64{"demo": 4, "call": 20, "email": 30.4}, map[string]float64{"demo": 8, "call": 40, "email": 30}},
		// A rep the recipe does not know has no effect: 12,000 / 6,000 = 2 again with quota 14,000.
		{"unknown rep", "z", 14000, map[string]float64{"demo": 4, "call": 20}, map[string]float64{"demo": 8, "call": 40}},
		// Rep b's usual pace already brings more than the quota: the objectives stay at that pace.
		{"never below usual", "b", 3000, map[string]float64{"demo": 4, "call": 20}, map[string]float64{"demo": 4, "call": 20}},
		// No valued activity of their own: the firm's mix (worth 3,000) scaled to 7,500 - 2,000 + 500 = 6,000, rounded up.
		{"firm mix", "b", 7500, map[string]float64{"email": 5}, map[string]float64{"demo": 4, "call": 20, "email": 5}},
		{"fractions round up", "z", 2000 + 1000*2.5, map[string]float64{"demo": 1}, map[string]float64{"demo": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanObjectives(m, tt.rep, tt.quota, tt.usual, firm)
			if !maps.Equal(got, tt.want) {
				t.Errorf("PlanObjectives = %v, want %v", got, tt.want)
			}
		})
	}
	if got := PlanObjectives(&Model{Grain: "quarter", Recipe: m.Recipe}, "a", 1, nil, firm); got != nil {
		t.Errorf("PlanObjectives of a quarterly recipe = %v, want nil", got)
	}
	if got := PlanValues(m); !maps.Equal(got, map[string]float64{"demo": 1000, "call": 100}) {
		t.Errorf("PlanValues = %v, want demo 1000 and call 100 (e-mail's interval includes 0)", got)
	}
}
