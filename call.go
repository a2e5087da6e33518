package salesrecipe

import (
	"time"
	"unicode/utf8"
)

// MaxCallNote is the longest note a call may carry, in characters.
const MaxCallNote = 2000

// Call is one forecast submission: a rep's own call for a period (RepID set), or a manager's call
// for a team (Team set, RepID empty). Every submission is kept; the latest one of a rep or team
// for a period counts.
type Call struct {
	// Period is the period called, such as 2026-12 or 2026-Q4.
	Period Period
	// RepID is the rep the call is for; empty for a team call.
	RepID string
	// Team is the team of a team call; for a rep's call, the rep's team when it was submitted.
	Team string
	// Commit is the amount the caller commits to win in the period.
	Commit float64
	// BestCase is the most the caller expects to win; at least Commit.
	BestCase float64
	// Note is the caller's comment (a manager's adjustment, a deal it hinges on).
	Note string
	// SubmittedBy names who submitted it.
	SubmittedBy string
	// SubmittedAt is when it was submitted.
	SubmittedAt time.Time
}

// TeamCall reports whether the call is a manager's call for a whole team.
func (c Call) TeamCall() bool { return c.RepID == "" }

// Validate reports every rule the call breaks: a rep or a team (not both), amounts stored to the
// cent with commit at most best case, a bounded note, and the submitter and time.
func (c Call) Validate() error {
	var p problems
	if !c.Period.Grain.Valid() || c.Period.Start.IsZero() {
		p.add("period", "", "required: a month (2026-12), quarter (2026-Q4) or ISO week (2026-W48)")
	} else {
		p.optionalTime("period", c.Period.Start)
	}
	switch {
	case c.RepID == "" && c.Team == "":
		p.add("rep_id", "", "a call names a rep (rep_id) or a team (team)")
	case c.RepID != "":
		p.optionalID("rep_id", c.RepID)
	}
	p.optionalID("team", c.Team)
	p.amount("commit", c.Commit)
	p.amount("best_case", c.BestCase)
	if c.Commit > c.BestCase {
		p.add("commit", formatFloat(c.Commit), "above best_case "+formatFloat(c.BestCase)+"; commit is what you are sure of, best case the most you expect")
	}
	if n := utf8.RuneCountInString(c.Note); n > MaxCallNote {
		p.add("note", "", "longer than "+formatFloat(MaxCallNote)+" characters")
	}
	if !utf8.ValidString(c.Note) {
		p.add("note", "", "not valid UTF-8")
	}
	p.id("submitted_by", c.SubmittedBy)
	p.requiredTime("submitted_at", c.SubmittedAt)
	return p.err()
}

// LatestCall returns, of calls for one rep or team and period, the latest one submitted at or
// before at: the call that counted then (never one made later).
func LatestCall(calls []Call, at time.Time) (Call, bool) {
	var best Call
	found := false
	for _, c := range calls {
		if c.SubmittedAt.After(at) {
			continue
		}
		if !found || c.SubmittedAt.After(best.SubmittedAt) {
			best, found = c, true
		}
	}
	return best, found
}
