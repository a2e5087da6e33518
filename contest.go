package salesrecipe

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// ContestMetric is what a contest ranks reps by.
type ContestMetric string

// The metrics a contest can rank by.
const (
	// MetricRecipePoints scores each activity at the recipe's value of its kind, so
	// many low-value activities earn little.
	MetricRecipePoints ContestMetric = "recipe_points"
	// MetricNewPipeline scores the amount of the opportunities created in the contest.
	MetricNewPipeline ContestMetric = "new_pipeline"
	// MetricAttainment scores won revenue over quota, in percent.
	MetricAttainment ContestMetric = "attainment"
)

// ContestMetrics lists the metrics in the order forms offer them.
var ContestMetrics = []ContestMetric{MetricRecipePoints, MetricNewPipeline, MetricAttainment}

// Valid reports whether m is one of the known metrics.
func (m ContestMetric) Valid() bool {
	return m == MetricRecipePoints || m == MetricNewPipeline || m == MetricAttainment
}

// Limits of a contest definition.
const (
	// MaxContestDays is the longest contest: a year.
	MaxContestDays = 366
	// MaxContestName is the longest name, in characters.
	MaxContestName = 100
	// MaxContestID is the longest id, in bytes.
	MaxContestID = 40
)

// Contest is one stored version of a sales contest: who competes (the reps of its
// teams), over which days, by which metric, and whether reps see the ranking.
type Contest struct {
	ID   string
	Firm string
	Name string
	// Period is the month or quarter the contest covers ("2026-03", "2026-Q2"), empty for a day range.
	Period string
	// From is the first day, To the last day (inclusive), both at 00:00 UTC.
	From, To time.Time
	Metric   ContestMetric
	Teams    []string
	// RepsSee lets the reps of the contest's teams see the ranking.
	RepsSee bool
	// SavedAt and SavedBy say when and by whom this version was stored.
	SavedAt time.Time
	SavedBy string
}

// Until returns the exclusive end of the contest: the day after To.
func (c Contest) Until() time.Time { return c.To.AddDate(0, 0, 1) }

// HasTeam reports whether the team competes in the contest.
func (c Contest) HasTeam(team string) bool {
	for _, t := range c.Teams {
		if t == team {
			return true
		}
	}
	return false
}

// Validate reports every rule the contest breaks, naming the fields of the contests API.
func (c Contest) Validate() error {
	var p problems
	p.contestID(c.ID)
	p.required("name", c.Name)
	if hasControl(c.Name) || utf8.RuneCountInString(c.Name) > MaxContestName {
		p.add("name", c.Name, "want at most "+strconv.Itoa(MaxContestName)+" characters and no control characters")
	}
	p.contestDays(c.From, c.To)
	if !c.Metric.Valid() {
		p.add("metric", string(c.Metric), "want recipe_points, new_pipeline or attainment")
	}
	p.contestTeams(c.Teams)
	return p.err()
}

// contestID checks an id: lower-case letters, digits and dashes, starting with a letter or digit.
func (p *problems) contestID(id string) {
	p.required("id", id)
	if id == "" {
		return
	}
	ok := len(id) <= MaxContestID && id[0] != '-'
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
	}
	if !ok {
		p.add("id", id, "want up to "+strconv.Itoa(MaxContestID)+" lower-case letters, digits and dashes, not starting with a dash")
	}
}

// contestDays checks the first and last day of a contest.
func (p *problems) contestDays(from, to time.Time) {
	p.requiredTime("from", from)
	p.requiredTime("to", to)
	if from.IsZero() || to.IsZero() {
		return
	}
	for _, d := range []struct {
		field string
		t     time.Time
	}{{"from", from}, {"to", to}} {
		if !d.t.Equal(time.Date(d.t.Year(), d.t.Month(), d.t.Day(), 0, 0, 0, 0, time.UTC)) {
			p.add(d.field, formatTime(d.t), "want a day at 00:00 UTC")
		}
	}
	days := math.Round(to.Sub(from).Hours()/24) + 1
	switch {
	case to.Before(from):
		p.add("to", to.Format(time.DateOnly), "before from ("+from.Format(time.DateOnly)+")")
	case days > MaxContestDays:
		p.add("to", to.Format(time.DateOnly), "the contest would last "+strconv.Itoa(int(days))+" days; at most "+strconv.Itoa(MaxContestDays))
	}
}

// contestTeams checks the teams: at least one, each a valid id, none twice.
func (p *problems) contestTeams(teams []string) {
	if len(teams) == 0 {
		p.add("teams", "", "name at least one team")
	}
	seen := map[string]bool{}
	for _, t := range teams {
		p.id("teams", t)
		if seen[t] {
			p.add("teams", t, "listed twice")
		}
		seen[t] = true
	}
}

// ProrateQuotas returns each rep's quota for the days [from, to): the part of every
// quota whose period overlaps them, in proportion to the days of the overlap.
func ProrateQuotas(qs []Quota, from, to time.Time) map[string]float64 {
	out := map[string]float64{}
	for _, q := range qs {
		span := q.Span()
		lo, hi := span.Start, span.End()
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		if !hi.After(lo) {
			continue
		}
		out[q.RepID] += q.Amount * hi.Sub(lo).Hours() / span.End().Sub(span.Start).Hours()
	}
	return out
}
