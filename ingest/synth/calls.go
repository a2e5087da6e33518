package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// CallStyle is how a simulated rep calls a period: Factor times what they go on to win.
type CallStyle struct {
	RepID string
	Team  string
	// Factor is below 1 for a sandbagger, above 1 for happy ears, 1 for an honest caller.
	Factor float64
}

// The call factors of the simulated callers.
const (
	SandbagFactor   = 0.6 // commits 60% of what the rep wins
	HappyEarsFactor = 1.5 // commits 150% of it
)

// CallStyles picks the firm's callers from its truth: the first rep (by id) sandbags, the second
// has happy ears, the others call honestly.
func CallStyles(tr Truth) []CallStyle {
	reps := slices.Clone(tr.Reps)
	slices.SortFunc(reps, func(a, b RepTruth) int {
		switch {
		case a.RepID < b.RepID:
			return -1
		case a.RepID > b.RepID:
			return 1
		}
		return 0
	})
	out := make([]CallStyle, len(reps))
	for i, r := range reps {
		out[i] = CallStyle{RepID: r.RepID, Team: r.Team, Factor: 1}
		switch i {
		case 0:
			out[i].Factor = SandbagFactor
		case 1:
			out[i].Factor = HappyEarsFactor
		}
	}
	return out
}

// SimulateCalls returns, for each period, each rep's call (commit = Factor x what they win x a
// noise of +-10%, best case 1.3 x commit, both to the cent), submitted at 09:00 UTC on the period's
// second day by the rep, and each team manager's call rolling up the team's commits, submitted an
// hour later. won says what a rep wins in a period (what the rep knows, imperfectly, when calling);
// the same seed always yields the same calls.
func SimulateCalls(seed int64, styles []CallStyle, periods []salesrecipe.Period, won func(rep string, p salesrecipe.Period) float64) []salesrecipe.Call {
	rng := rand.New(rand.NewPCG(uint64(seed), 0xca11))
	var out []salesrecipe.Call
	for _, p := range periods {
		at := p.Start.AddDate(0, 0, 1).Add(9 * time.Hour)
		teams := map[string]float64{}
		var order []string
		for _, s := range styles {
			commit := cents(s.Factor * won(s.RepID, p) * (0.9 + 0.2*rng.Float64()))
			out = append(out, salesrecipe.Call{Period: p, RepID: s.RepID, Team: s.Team, Commit: commit, BestCase: cents(1.3 * commit),
				SubmittedBy: s.RepID, SubmittedAt: at})
			if _, ok := teams[s.Team]; !ok {
				order = append(order, s.Team)
			}
			teams[s.Team] += commit
		}
		for _, team := range order {
			out = append(out, salesrecipe.Call{Period: p, Team: team, Commit: cents(teams[team]), BestCase: cents(1.3 * teams[team]),
				SubmittedBy: "manager of " + team, SubmittedAt: at.Add(time.Hour)})
		}
	}
	return out
}

// cents rounds to the cent.
func cents(v float64) float64 { return math.Round(v*100) / 100 }
