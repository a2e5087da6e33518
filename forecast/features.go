package forecast

import (
	"math"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// repFeatures are one rep's components of the period's forecast at one moment.
type repFeatures struct {
	Tau     float64            // share of the period elapsed, 0 to 1
	Closed  float64            // won so far in the period
	Last    float64            // won in the previous period, as known at the moment
	Open    float64            // open pipeline with expected close in the period or with no expected close date
	PIn     float64            // that pipeline weighted by the learned chance of a win inside the period
	PPull   float64            // other open deals weighted the same way (pulled-in deals)
	PFile   float64            // in-period open pipeline times the stages file's probabilities
	RPrior  float64            // recipe: revenue still to land from earlier periods' activity
	RDone   float64            // recipe: revenue still to land from this period's activity so far
	RRest   float64            // recipe: revenue from the activity still expected this period
	RBase   float64            // recipe: baseline and rep effect still to land
	Done    map[string]float64 // activities so far this period, by kind
	Rest    map[string]float64 // activities still expected this period at the rep's pace, by kind
	Peak    float64            // the rep's most activities in one of the pace periods
	Deals   []chance           // every open deal with its learned chance of a win inside the period
	Seen    bool               // the rep has any activity or deal in the window
	Present bool               // the rep was active this period or in the last presentBack complete ones
}

// presentBack is how many complete periods without activity make a rep count as gone.
const presentBack = 2

// chance is an open deal's amount and its chance of a win inside the period.
type chance struct{ p, amount float64 }

// newBusiness returns the inputs of the expected revenue from deals not yet open, in the order of
// newBusinessFeatures(kinds): the recipe's expectations, presence, and each kind's activity still
// expected this period times the time left (deals it creates have that much time to close).
func (f *repFeatures) newBusiness(kinds []string) []float64 {
	present := 0.0
	if f.Present {
		present = 1 - f.Tau
	}
	out := []float64{f.RPrior, f.RDone, f.RRest, f.RBase, present}
	for _, k := range kinds {
		out = append(out, f.Rest[k]*(1-f.Tau))
	}
	return out
}

// newBusinessFeatures names the new-business inputs for the given activity kinds.
func newBusinessFeatures(kinds []string) []string {
	out := []string{"recipe_earlier_activity", "recipe_activity_done", "recipe_activity_expected", "recipe_baseline", "present_time_left"}
	for _, k := range kinds {
		out = append(out, "expected_"+k+"_time_left")
	}
	return out
}

// recipeRemaining is the recipe's revenue still to land in the period.
func (f *repFeatures) recipeRemaining() float64 {
	return math.Max(0, f.RPrior+f.RDone+f.RRest+f.RBase)
}

// elapsed returns the share of p elapsed at m, clamped to [0, 1].
func elapsed(p salesrecipe.Period, m time.Time) float64 {
	t := m.Sub(p.Start).Seconds() / p.End().Sub(p.Start).Seconds()
	return math.Min(1, math.Max(0, t))
}

// featureSet computes every rep's features from the inputs.
type featureSet struct {
	in       *inputs
	rc       *model.Recipe // nil when no recipe could be fitted
	pm       *Pipeline
	file     map[string]float64 // stages-file probability by stage; nil without a stages file
	fallback float64            // probability for stages the file lacks (or all, without a file)
}

// compute returns the features of every rep seen in the inputs, plus the extra reps listed.
func (fs *featureSet) compute(extra []string) map[string]*repFeatures {
	out := map[string]*repFeatures{}
	tau := elapsed(fs.in.period, fs.in.at)
	get := func(rep string) *repFeatures {
		f := out[rep]
		if f == nil {
			f = &repFeatures{Tau: tau, Done: map[string]float64{}, Rest: map[string]float64{}}
			out[rep] = f
		}
		return f
	}
	for _, rep := range extra {
		get(rep)
	}
	for rep, v := range fs.in.won {
		get(rep).Closed, get(rep).Seen = v, true
	}
	for rep, v := range fs.in.last {
		get(rep).Last, get(rep).Seen = v, true
	}
	fs.pipeline(get)
	active := fs.activity(get)
	for rep, f := range out {
		if active[rep] == nil {
			fs.recipe(rep, nil, nil, f) // baseline and rep effect only
		}
	}
	return out
}

// pipeline adds the open deals' raw and weighted amounts. A deal with no expected close date (a
// CRM export without one, or a history inferred from a one-row export) is in the period's open
// pipeline, weighted by its learned chance of a win inside the period, but never in the stages file's
// weighted pipeline, which goes by expected close dates.
func (fs *featureSet) pipeline(get func(string) *repFeatures) {
	p, at := fs.in.period, fs.in.at
	for _, d := range fs.in.open {
		f := get(d.RepID)
		f.Seen = true
		r := math.Min(1, fs.pm.rate(d, at, p)*fs.pm.factor(d.RepID))
		w := d.Amount * r
		if r > 0 {
			f.Deals = append(f.Deals, chance{r, d.Amount})
		}
		if d.CloseDate.IsZero() { // no expected close: it may close in any period, this one too
			f.Open += d.Amount
			f.PIn += w
			continue
		}
		if !p.Contains(d.CloseDate) {
			f.PPull += w
			continue
		}
		f.Open += d.Amount
		f.PIn += w
		f.PFile += d.Amount * fs.fileProbability(d.Stage)
	}
}

// fileProbability returns the stages file's probability of a stage, or the fallback; none (0) for
// the stage of inferred versions, which no stages file knows (such a deal has no expected close date,
// so it is never in the period's stage-weighted pipeline anyway).
func (fs *featureSet) fileProbability(stage string) float64 {
	if stage == salesrecipe.UnknownStage {
		return 0
	}
	if p, ok := fs.file[stage]; ok {
		return p
	}
	return fs.fallback
}

// paceWeight is how many periods' worth of the usual pace the expected activity starts from.
const paceWeight = 0.25

// activity adds each rep's activity counts, expected activity and the recipe's expectations; it
// returns the counts by rep.
func (fs *featureSet) activity(get func(string) *repFeatures) map[string][]map[string]float64 {
	win := fs.in.window
	byRep := map[string][]map[string]float64{}
	index := map[int64]int{} // by Unix time: times from the store carry their own location
	for j, q := range win {
		index[q.Start.Unix()] = j
	}
	for _, c := range fs.in.counts {
		j, ok := index[c.Period.Unix()]
		if !ok {
			continue
		}
		if byRep[c.RepID] == nil {
			byRep[c.RepID] = make([]map[string]float64, len(win))
			for i := range byRep[c.RepID] {
				byRep[c.RepID][i] = map[string]float64{}
			}
		}
		byRep[c.RepID][j][c.Kind] += float64(c.N)
	}
	for rep, hist := range byRep {
		f := get(rep)
		f.Seen = true
		rest := fs.expected(hist, f)
		fs.recipe(rep, hist, rest, f)
	}
	return byRep
}

// expected returns, per window period, the activities still expected at the rep's pace, and records
// the target period's done and expected counts and the rep's peak.
func (fs *featureSet) expected(hist []map[string]float64, f *repFeatures) []map[string]float64 {
	win, at := fs.in.window, fs.in.at
	first := len(win)
	for j := range win {
		if len(hist[j]) > 0 {
			first = min(first, j)
		}
	}
	pace, n := map[string]float64{}, 0.0
	for j := len(win) - 1; j >= first && n < paceBack; j-- {
		if win[j].End().After(at) {
			continue
		}
		total := 0.0
		for k, c := range hist[j] {
			pace[k] += c
			total += c
		}
		f.Peak = math.Max(f.Peak, total)
		f.Present = f.Present || (n < presentBack && total > 0)
		n++
	}
	rest := make([]map[string]float64, len(win))
	for j, q := range win {
		rest[j] = map[string]float64{}
		tau := elapsed(q, at)
		if tau >= 1 {
			continue
		}
		for k := range union(pace, hist[j]) {
			usual := 0.0
			if n > 0 {
				usual = pace[k] / n
			}
			rest[j][k] = (1 - tau) * (hist[j][k] + paceWeight*usual) / (tau + paceWeight)
		}
	}
	last := len(win) - 1
	for k, c := range hist[last] {
		f.Done[k] = c
		f.Present = f.Present || c > 0
	}
	for k, c := range rest[last] {
		f.Rest[k] = c
	}
	return rest
}

// union returns the keys of both maps.
func union(a, b map[string]float64) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// recipe adds the recipe's expectations still to land in the target period.
//
// A period's revenue from its own activity is b(k,0) per activity on average over the period; taking
// each activity's same-period effect to land evenly over the time from the activity to a period
// later, an activity done so far still lands 2 b(k,0) (1 - tau) of it and one still to come lands
// b(k,0) (1 - tau) on average. Revenue of earlier periods' activity and the baseline land evenly.
func (fs *featureSet) recipe(rep string, hist, rest []map[string]float64, f *repFeatures) {
	if fs.rc == nil {
		return
	}
	left := 1 - f.Tau
	last := len(fs.in.window) - 1
	for _, ke := range fs.rc.Kinds {
		for l, ls := range ke.Lags {
			j := last - l
			if j < 0 || hist == nil {
				break
			}
			b := ke.Value * ls.Share
			done, more := hist[j][ke.Kind], rest[j][ke.Kind]
			if l == 0 {
				f.RDone += 2 * b * done * left
			} else {
				f.RPrior += b * done * left
			}
			f.RRest += b * more * left
		}
	}
	if f.Present {
		f.RBase = (fs.rc.Baseline + fs.rc.RepEffect(rep)) * left
	}
}
