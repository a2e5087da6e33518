package forecast

import (
	"maps"
	"math"
	"slices"
)

// minConversion is the smallest in-period conversion of pipeline worth asking for.
const minConversion = 0.01

// mixContext is what "what it takes" needs beyond one rep's features.
type mixContext struct {
	firm       map[string]float64 // the firm's activity still expected, by kind
	conversion float64            // the firm's in-period conversion of in-period pipeline
}

// whatItTakes returns the activities, in the rep's own mix, and the pipeline that close gap this period.
//
// An activity spread evenly over the time left lands b(k,0) (1 - tau) inside the period on average (see
// featureSet.recipe); later lags land after the period and count for nothing. The activity lever is out
// of reach when no kind lands in time or closing the gap would take more than the rep's own pace again
// on top of what they are expected to do. The pipeline lever asks for more open pipeline converting
// like the rep's in-period pipeline (the firm's when the rep has none); it is out of reach when that
// pipeline can no longer close in time.
func whatItTakes(m *Model, f *repFeatures, gap float64, mc mixContext) []Need {
	var out []Need
	if m.Recipe != nil {
		out = activityNeeds(m, f, gap, mc)
	}
	conv := mc.conversion
	if f.Open > 0 {
		conv = f.PIn / f.Open
	}
	pipe := Need{Kind: KindPipeline, OutOfReach: conv < minConversion || f.Tau >= 1}
	if !pipe.OutOfReach {
		pipe.Additional = math.Ceil(gap / conv)
	}
	out = append(out, pipe)
	sortedNeeds(out)
	return out
}

// activityNeeds scales the rep's expected mix of activities that land in time until it closes gap.
func activityNeeds(m *Model, f *repFeatures, gap float64, mc mixContext) []Need {
	left := 1 - f.Tau
	value := map[string]float64{}
	for _, ke := range m.Recipe.Kinds {
		if len(ke.Lags) > 0 && left > 0 {
			if v := ke.Value * ke.Lags[0].Share * left; v > 0 {
				value[ke.Kind] = v
			}
		}
	}
	mix := pick(f.Rest, value)
	if len(mix) == 0 {
		mix = pick(mc.firm, value)
	}
	kinds := slices.Sorted(maps.Keys(mix)) // a fixed order, so the sums do not vary between runs
	per := 0.0
	for _, k := range kinds {
		per += mix[k] * value[k]
	}
	if per <= 0 {
		return nil
	}
	scale := gap / per
	var out []Need
	total, usual := 0.0, 0.0
	for _, k := range kinds {
		n := Need{Kind: k, Additional: math.Ceil(scale * mix[k])}
		total += n.Additional
		usual += f.Rest[k]
		out = append(out, n)
	}
	capacity := math.Max(usual, f.Peak*left)
	if total > capacity {
		for i := range out {
			out[i].OutOfReach = true
		}
	}
	return out
}

// pick returns the positive counts of kinds that have a value.
func pick(counts, value map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, x := range counts {
		if x > 0 && value[k] > 0 {
			out[k] = x
		}
	}
	return out
}

// outOfReach reports whether every lever is out of reach.
func outOfReach(needs []Need) bool {
	for _, n := range needs {
		if !n.OutOfReach {
			return false
		}
	}
	return len(needs) > 0
}
