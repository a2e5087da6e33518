package forecast

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
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
// featureSet.recipe); later lags land after the period and count for nothing. Only kinds whose value is
// known to be above zero (the low end of its interval is) are asked for. The activity lever is out of
// reach when no such kind lands in time or closing the gap would take more than the rep's own pace again
// on top of what they are expected to do. The pipeline lever asks for more open pipeline converting like
// the rep's in-period pipeline (the firm's when the rep has none); it is out of reach when that pipeline
// can no longer close in time, or when it is more than the rep has ever created in one period.
func whatItTakes(m *Model, rep string, f *repFeatures, gap float64, mc mixContext) []Need {
	var out []Need
	if m.Recipe != nil {
		out = activityNeeds(m, f, gap, mc)
	}
	out = append(out, pipelineNeed(m, rep, f, gap, mc))
	sortedNeeds(out)
	return out
}

// pipelineNeed returns the open pipeline that closes gap at the rep's in-period conversion, or why it cannot.
func pipelineNeed(m *Model, rep string, f *repFeatures, gap float64, mc mixContext) Need {
	conv := mc.conversion
	if f.Open > 0 {
		conv = f.PIn / f.Open
	}
	pipe := Need{Kind: KindPipeline}
	switch {
	case f.Tau >= 1:
		pipe.OutOfReach, pipe.Reason = true, "the period is over"
	case conv < minConversion:
		pipe.OutOfReach, pipe.Reason = true, fmt.Sprintf("open pipeline closes in the period at %.1f%%: almost none would close in time", 100*conv)
	default:
		pipe.Additional = math.Ceil(gap / conv)
	}
	if built, known := m.Built[rep]; m.Built != nil && !pipe.OutOfReach && pipe.Additional > built {
		pipe.OutOfReach = true
		pipe.Reason = fmt.Sprintf("closing the gap takes %.0f of new pipeline (at %.0f%% in-period conversion); the most this rep has created in one %s is %.0f",
			pipe.Additional, 100*conv, cmp.Or(string(m.Grain), "period"), built)
		if !known {
			pipe.Reason = fmt.Sprintf("closing the gap takes %.0f of new pipeline (at %.0f%% in-period conversion); this rep has never created any",
				pipe.Additional, 100*conv)
		}
	}
	return pipe
}

// activityNeeds scales the rep's expected mix of activities that land in time until it closes gap.
func activityNeeds(m *Model, f *repFeatures, gap float64, mc mixContext) []Need {
	value := landingValues(m, f.Tau)
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
	if capacity := math.Max(usual, f.Peak*(1-f.Tau)); total > capacity {
		unit := "activities"
		if !slices.ContainsFunc(kinds, func(k string) bool { return !IsNewOpportunityKind(k) }) {
			unit = "new opportunities"
		}
		for i := range out {
			out[i].OutOfReach = true
			out[i].Reason = fmt.Sprintf("takes %.0f more %s, more than the %.0f this rep does at their own pace in the time left", total, unit, capacity)
		}
	}
	return out
}

// landingValues returns, per kind whose value is known to be above zero, the revenue one more activity spread
// over the rest of the period lands inside it.
func landingValues(m *Model, tau float64) map[string]float64 {
	left := 1 - tau
	value := map[string]float64{}
	for _, ke := range m.Recipe.Kinds {
		if len(ke.Lags) > 0 && left > 0 && ke.CILow > 0 {
			if v := ke.Value * ke.Lags[0].Share * left; v > 0 {
				value[ke.Kind] = v
			}
		}
	}
	return value
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

// mostBuilt returns, per rep, the most pipeline (deals' amounts as known now) created in one period before end.
func (b *book) mostBuilt(grain salesrecipe.Grain, end time.Time) map[string]float64 {
	type key struct {
		rep    string
		period time.Time
	}
	sums := map[key]float64{}
	for _, h := range b.deals {
		d := h[len(h)-1]
		if d.Created >= ceilMs(end) {
			continue
		}
		sums[key{b.reps[d.Rep], salesrecipe.NewPeriod(grain, salesrecipe.TimeOf(d.Created)).Start}] += d.Amount
	}
	out := map[string]float64{}
	for k, v := range sums {
		out[k.rep] = math.Max(out[k.rep], v)
	}
	return out
}
