package forecast

import (
	"cmp"
	"slices"

	"github.com/salesrecipe/salesrecipe"
)

// The methods of people's calls, scored like the model's: a rep's own commit, a manager's team commit.
const (
	MethodRepCommit     = "rep_commit"
	MethodManagerCommit = "manager_commit"
)

// CallScore is the accuracy of one rep's own calls (rep_commit) or of one team's manager calls
// (manager_commit) over a backtest, beside the model's forecasts at the same moments. All marks
// the method's total over every rep or team scored. Bias below zero is a sandbagger (calls
// under what is won), above zero happy ears (calls over it).
type CallScore struct {
	Method string `json:"method"`
	RepID  string `json:"rep_id,omitempty"`
	Team   string `json:"team,omitempty"`
	All    bool   `json:"all,omitempty"`
	// Forecasts is how many moments (period and as-of point) had a call made by then.
	Forecasts int     `json:"forecasts"`
	WAPE      float64 `json:"wape"` // sum |A-C| / sum |A| of the commit C
	Bias      float64 `json:"bias"` // sum (C-A) / sum A
	// ModelWAPE and ModelBias score the combined forecast at the same moments.
	ModelWAPE float64 `json:"model_wape"`
	ModelBias float64 `json:"model_bias"`
}

// ScoreCalls scores people's calls against the backtest's outcomes: at each as-of moment of each
// period, the latest call of the rep (or the manager's of the team) submitted at or before that
// moment, never one made later, beside the combined forecast of the same moment. Periods are of
// grain; moments without a call are not scored. It returns one score per rep and per team with
// calls, then one total per method.
func ScoreCalls(bt *Backtest, grain salesrecipe.Grain, calls []salesrecipe.Call) []CallScore {
	type key struct {
		start     int64
		rep, team string
	}
	byKey := map[key][]salesrecipe.Call{}
	for _, c := range calls {
		if c.Period.Grain != grain {
			continue
		}
		k := key{start: c.Period.Start.Unix(), rep: c.RepID}
		if c.TeamCall() {
			k.team = c.Team
		}
		byKey[k] = append(byKey[k], c)
	}
	type acc struct{ call, model accuracy }
	scores := map[CallScore]*acc{} // keyed by method, rep and team (the other fields zero)
	add := func(method, rep, team string, p Point) {
		k := key{start: p.PeriodStart.Unix(), rep: rep}
		if rep == "" {
			k.team = team
		}
		c, ok := salesrecipe.LatestCall(byKey[k], p.AsOf)
		if !ok {
			return
		}
		for _, id := range []CallScore{{Method: method, RepID: rep, Team: team}, {Method: method, All: true}} {
			a := scores[id]
			if a == nil {
				a = &acc{}
				scores[id] = a
			}
			a.call.add(c.Commit, p.Actual)
			a.model.add(p.Forecast, p.Actual)
		}
	}
	for _, p := range bt.Points {
		if p.Method == MethodSalesrecipe {
			add(MethodRepCommit, p.RepID, p.Team, p)
		}
	}
	for _, p := range bt.Teams {
		if p.Method == MethodSalesrecipe {
			add(MethodManagerCommit, "", p.Team, p)
		}
	}
	out := make([]CallScore, 0, len(scores))
	for id, a := range scores {
		id.Forecasts = int(a.call.n)
		id.WAPE, id.Bias = round4(a.call.wape()), round4(a.call.bias())
		id.ModelWAPE, id.ModelBias = round4(a.model.wape()), round4(a.model.bias())
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b CallScore) int {
		return cmp.Or(cmp.Compare(a.Method, b.Method), compareBool(a.All, b.All), cmp.Compare(a.Team, b.Team), cmp.Compare(a.RepID, b.RepID))
	})
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
