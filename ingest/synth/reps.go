package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

const (
	accountsPerRep = 40
	repsPerTeam    = 8
	offMonthProb   = 0.03 // chance a rep logs no activity in a month (leave, training)
	joinProb       = 0.15 // chance a non-lead rep joins after the first month
	leaveProb      = 0.10 // chance a non-lead rep leaves before the end
	shortfallMonth = 3    // months of silence planted before the end for ShortfallRep
	ringSize       = 16
	firstNames     = "Ava Ben Chloe Diego Emma Farah Gus Hana Ivan Jade Kofi Lena Mateo Nina Omar Priya Quinn Rosa Sam Tara Umar Vera Wes Ximena Yusuf Zoe"
	lastNames      = "Adams Baker Chen Diaz Evans Fischer Garcia Huang Iyer Jones Kim Lopez Moreau Novak Okafor Patel Rossi Silva Tanaka Ueda Varga Walsh Xu Young Zhou"
	teamList       = "East West Central North South EMEA APAC LATAM"
)

// dealRef is a deal an activity may touch while it is open.
type dealRef struct {
	id, account, created, closeAt int64
}

// ring keeps a rep's most recent deals.
type ring struct {
	refs [ringSize]dealRef
	n    int
	next int
}

func (r *ring) add(d dealRef) {
	r.refs[r.next] = d
	r.next = (r.next + 1) % ringSize
	r.n = min(r.n+1, ringSize)
}

// touch returns a recent deal open at time at, if the one drawn is.
func (r *ring) touch(rng *rand.Rand, at int64) (dealRef, bool) {
	if r.n == 0 {
		return dealRef{}, false
	}
	d := r.refs[rng.IntN(r.n)]
	return d, d.created < at && at < d.closeAt
}

// rep is one sales rep with the parameters that drive their activity and wins.
type rep struct {
	id, name, email, team, manager string
	join, leave                    int // employed in months [join, leave)
	off                            []bool
	rate                           float64   // activities per working day at full ramp
	skill                          float64   // multiplier of the negotiation-to-won rate, mean 1
	baseRate                       float64   // inbound deals per month
	accounts                       int64     // first account number
	quota                          float64   // monthly quota at full ramp
	pref                           []float64 // persistent preference per kind (volume-neutral)
	swing                          []float64 // month swing per history month m and kind k at m*K+k, mean one
	recent                         ring
}

func repID(i int) string {
	return fmt.Sprintf("r%04d", i+1)
}

func teamNames(reps int) []string {
	base := strings.Fields(teamList)
	names := make([]string, max(1, (reps+repsPerTeam-1)/repsPerTeam))
	for i := range names {
		names[i] = base[i%len(base)]
		if i >= len(base) {
			names[i] = fmt.Sprintf("%s %d", names[i], i/len(base)+1)
		}
	}
	return names
}

func drawReps(rng *rand.Rand, cfg Config, f *firm) []rep {
	teams := teamNames(cfg.Reps)
	first, last := strings.Fields(firstNames), strings.Fields(lastNames)
	reps := make([]rep, cfg.Reps)
	taken := map[string]bool{}
	for i := range reps {
		r := &reps[i]
		r.id, r.team = repID(i), teams[i%len(teams)]
		if i >= len(teams) {
			r.manager = repID(i % len(teams))
		}
		fn, ln := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		r.name, r.email = uniqueName(taken, fn, ln), strings.ToLower(fn+"."+ln+"."+r.id)+"@example.com"
		r.rate = cfg.ActivitiesPerDay * lognormMean1(rng, 0.3)
		r.skill = lognormMean1(rng, f.skillSigma)
		r.baseRate = f.baseRate * uniform(rng, 0.5, 1.5)
		r.accounts = int64(i) * accountsPerRep
		r.join, r.leave = drawTenure(rng, cfg.Months, i < len(teams), cfg.Turnover)
		r.off = drawOff(rng, cfg.Months)
		r.pref, r.swing = drawRepMix(rng, &f.mix, f.kinds, cfg.Months)
	}
	if cfg.Shortfall {
		plantShortfall(&reps[0], cfg.Months)
	}
	return reps
}

// uniqueName returns "first last", or, when another rep has that name, the first free "first X. last" (X from A
// to Z) or "first last N": a CRM export names reps by name only, and two reps of one name would merge into one.
// It draws nothing, so the rest of the firm is the same as without it.
func uniqueName(taken map[string]bool, first, last string) string {
	name := first + " " + last
	for k := 0; taken[name]; k++ {
		if k < 26 {
			name = fmt.Sprintf("%s %c. %s", first, 'A'+k, last)
		} else {
			name = fmt.Sprintf("%s %s %d", first, last, k-24)
		}
	}
	taken[name] = true
	return name
}

// drawTenure draws the employed months [join, leave); team leads stay the whole history. A positive turnover is the
// chance to join late and again the chance to leave early, in place of joinProb and leaveProb.
func drawTenure(rng *rand.Rand, months int, lead bool, turnover float64) (join, leave int) {
	join, leave = 0, months
	if lead || months < 4 {
		return join, leave
	}
	joinP, leaveP := joinProb, leaveProb
	if turnover > 0 {
		joinP, leaveP = turnover, turnover
	}
	if rng.Float64() < joinP {
		join = 1 + rng.IntN(months-3)
	}
	if rng.Float64() < leaveP {
		leave = join + 2 + rng.IntN(months-join-2)
	}
	return join, leave
}

func drawOff(rng *rand.Rand, months int) []bool {
	off := make([]bool, months)
	for m := range off {
		off[m] = rng.Float64() < offMonthProb
	}
	return off
}

// plantShortfall silences the rep's last months, so the current period lands far below quota.
func plantShortfall(r *rep, months int) {
	for m := max(0, months-shortfallMonth); m < months; m++ {
		r.off[m] = true
	}
}

func (r *rep) employed(m int) bool {
	return m >= r.join && m < r.leave
}

// ramp is the share of full activity and quota in month m: new hires ramp up over two months.
func (r *rep) ramp(m int) float64 {
	switch {
	case !r.employed(m):
		return 0
	case r.join > 0 && m == r.join:
		return 0.4
	case r.join > 0 && m == r.join+1:
		return 0.7
	}
	return 1
}

// intensity is the rep's activity multiplier in month m.
func (r *rep) intensity(m int) float64 {
	if m < len(r.off) && r.off[m] {
		return 0
	}
	return r.ramp(m)
}
