package forecast

import (
	"maps"
	"math"
	"slices"

	"github.com/salesrecipe/salesrecipe"
)

// PlanValues returns, per activity kind whose value the recipe knows to be above zero (the low end
// of its interval is), the won revenue one more activity brings over all its lags; nil without a
// monthly recipe. Kinds not in the map are worth nothing the recipe can vouch for.
func PlanValues(m *Model) map[string]float64 {
	if m == nil || m.Recipe == nil || m.Grain != salesrecipe.GrainMonth {
		return nil
	}
	out := map[string]float64{}
	for _, k := range m.Recipe.Kinds {
		if k.CILow > 0 && k.Value > 0 {
			out[k.Kind] = k.Value
		}
	}
	return out
}

// PlanObjectives returns the monthly activities of each kind that, once the recipe's lags have
// run their course, bring a month's won revenue up to quota: the firm's baseline and the rep's
// own effect, plus what the activities are worth. The kinds the recipe values are scaled
// together in the rep's usual monthly mix (the firm's mix when the rep has no valued activity),
// never below the rep's usual counts; other kinds stay at the rep's usual count. The result is
// nil without a monthly recipe.
func PlanObjectives(m *Model, rep string, quota float64, usual, firm map[string]float64) map[string]float64 {
	value := PlanValues(m)
	if value == nil {
		return nil
	}
	mix := pick(usual, value)
	if len(mix) == 0 {
		mix = pick(firm, value)
	}
	out := map[string]float64{}
	for k, n := range usual {
		out[k] = math.Round(n)
	}
	per := 0.0
	for _, k := range slices.Sorted(maps.Keys(mix)) { // a fixed order, so the sum does not vary between runs
		per += mix[k] * value[k]
	}
	if per <= 0 {
		return out
	}
	scale := math.Max((quota-m.Recipe.Baseline-repEffect(m, rep))/per, 0)
	for k, n := range mix {
		out[k] = math.Max(math.Ceil(scale*n), math.Round(usual[k]))
	}
	return out
}

// repEffect returns the rep's shrunk deviation from the firm's baseline; 0 for a rep the recipe does not know.
func repEffect(m *Model, rep string) float64 {
	for _, r := range m.Recipe.Reps {
		if r.Rep == rep {
			return r.Effect
		}
	}
	return 0
}
