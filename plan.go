package salesrecipe

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a business plan, so one plan stays a page long and a store row stays small.
const (
	// MaxPlanMonths is the longest span a plan may cover.
	MaxPlanMonths = 24
	// MaxPlanRows is the most accounts, objectives or training items a plan may list.
	MaxPlanRows = 200
	// MaxPlanText is the longest account, kind, topic, owner or goal, in characters.
	MaxPlanText = 500
	// MaxPlanGoals is the most personal goals a plan may list.
	MaxPlanGoals = 50
)

// Plan is a rep's business plan for Months months from the month of From: the pipeline they
// mean to build by account, their activity objectives per month, their training and their goals.
// Every save is kept; the latest saved one counts.
type Plan struct {
	RepID  string    `json:"rep_id"`
	From   time.Time `json:"from"` // first day of the first month, 00:00 UTC
	Months int       `json:"months"`
	// Multiple is the firm's rule at save time: the planned pipeline is at least Multiple times the plan's quota.
	Multiple   float64         `json:"multiple"`
	Accounts   []PlanAccount   `json:"accounts"`
	Objectives []PlanObjective `json:"objectives"`
	Training   []PlanTraining  `json:"training"`
	Goals      []string        `json:"goals"`
	SavedAt    time.Time       `json:"saved_at"`
	SavedBy    string          `json:"saved_by"`
}

// PlanAccount is pipeline the rep plans to create with one account and when it should close.
type PlanAccount struct {
	Account string  `json:"account"`
	Amount  float64 `json:"amount"`
	// CloseQuarter is the quarter the pipeline should close in, such as "2026-Q3".
	CloseQuarter string `json:"close_quarter"`
}

// PlanObjective is how many activities of a kind the rep means to do in each month of the plan.
type PlanObjective struct {
	Kind     string  `json:"kind"`
	PerMonth float64 `json:"per_month"`
}

// PlanTraining is one training item: its topic, date and who gives or owns it.
type PlanTraining struct {
	Topic string `json:"topic"`
	Date  string `json:"date"` // YYYY-MM-DD
	Owner string `json:"owner"`
}

// Span returns the plan's months, first to last.
func (p Plan) Span() []Period {
	out := make([]Period, 0, p.Months)
	m := NewPeriod(GrainMonth, p.From)
	for range p.Months {
		out = append(out, m)
		m = m.Next()
	}
	return out
}

// End returns the exclusive end of the plan's last month.
func (p Plan) End() time.Time {
	return NewPeriod(GrainMonth, p.From).Start.AddDate(0, p.Months, 0)
}

// PlannedPipeline returns the sum of the accounts' planned amounts.
func (p Plan) PlannedPipeline() float64 {
	sum := 0.0
	for _, a := range p.Accounts {
		sum += a.Amount
	}
	return math.Round(sum*100) / 100
}

// Validate reports every rule the plan breaks, naming each field as the JSON form does
// (accounts[2].amount).
func (p Plan) Validate() error {
	var pr problems
	pr.id("rep_id", p.RepID)
	switch {
	case p.From.IsZero():
		pr.add("from", "", "required: the plan's first month, YYYY-MM")
	case !InTimeRange(p.From) || !InTimeRange(p.End()):
		pr.add("from", p.From.Format("2006-01"), "outside the supported range "+TimeRange)
	case !p.From.Equal(NewPeriod(GrainMonth, p.From).Start):
		pr.add("from", formatTime(p.From), "not the first day of a month at 00:00 UTC")
	}
	if p.Months < 1 || p.Months > MaxPlanMonths {
		pr.add("months", fmt.Sprint(p.Months), fmt.Sprintf("want 1 to %d", MaxPlanMonths))
	}
	if !(p.Multiple > 0) || p.Multiple > 100 {
		pr.add("multiple", formatFloat(p.Multiple), "want a multiple of quota above 0 and at most 100")
	}
	p.validateAccounts(&pr)
	p.validateObjectives(&pr)
	p.validateTraining(&pr)
	p.validateGoals(&pr)
	return pr.err()
}

// validateAccounts checks each planned account: named once, an amount, a close quarter from the plan's first quarter on.
func (p Plan) validateAccounts(pr *problems) {
	rows(pr, "accounts", len(p.Accounts))
	seen := map[string]bool{}
	first := NewPeriod(GrainQuarter, p.From).Start
	for i, a := range p.Accounts {
		f := fmt.Sprintf("accounts[%d].", i)
		text(pr, f+"account", a.Account, true)
		if key := strings.ToLower(strings.TrimSpace(a.Account)); key != "" && seen[key] {
			pr.add(f+"account", a.Account, "listed twice; put the account's whole planned pipeline on one line")
		} else {
			seen[key] = true
		}
		pr.amount(f+"amount", a.Amount)
		if a.Amount == 0 {
			pr.add(f+"amount", "0", "must be above 0")
		}
		q, err := ParsePeriod(a.CloseQuarter)
		switch {
		case a.CloseQuarter == "":
			pr.add(f+"close_quarter", "", "required: the quarter the pipeline should close in, such as 2026-Q3")
		case err != nil || q.Grain != GrainQuarter:
			pr.add(f+"close_quarter", a.CloseQuarter, "want a quarter such as 2026-Q3")
		case !p.From.IsZero() && q.Start.Before(first):
			pr.add(f+"close_quarter", a.CloseQuarter, "before the plan's first quarter "+Period{Grain: GrainQuarter, Start: first}.String())
		case !p.From.IsZero() && q.Start.After(p.End().AddDate(1, 0, 0)):
			pr.add(f+"close_quarter", a.CloseQuarter, "more than a year after the plan ends")
		}
	}
}

// validateObjectives checks each objective: a kind named once and a whole, non-negative count.
func (p Plan) validateObjectives(pr *problems) {
	rows(pr, "objectives", len(p.Objectives))
	seen := map[string]bool{}
	for i, o := range p.Objectives {
		f := fmt.Sprintf("objectives[%d].", i)
		text(pr, f+"kind", o.Kind, true)
		if seen[o.Kind] {
			pr.add(f+"kind", o.Kind, "listed twice")
		}
		seen[o.Kind] = true
		switch {
		case math.IsNaN(o.PerMonth) || math.IsInf(o.PerMonth, 0) || o.PerMonth < 0:
			pr.add(f+"per_month", formatFloat(o.PerMonth), "want a count of 0 or more")
		case o.PerMonth != math.Trunc(o.PerMonth):
			pr.add(f+"per_month", formatFloat(o.PerMonth), "want a whole number of activities")
		case o.PerMonth > 1e6:
			pr.add(f+"per_month", formatFloat(o.PerMonth), "more than a million activities a month")
		}
	}
}

// validateTraining checks each training item: a topic, a date and optionally an owner.
func (p Plan) validateTraining(pr *problems) {
	rows(pr, "training", len(p.Training))
	for i, t := range p.Training {
		f := fmt.Sprintf("training[%d].", i)
		text(pr, f+"topic", t.Topic, true)
		text(pr, f+"owner", t.Owner, false)
		d, err := time.Parse(time.DateOnly, t.Date)
		switch {
		case t.Date == "":
			pr.add(f+"date", "", "required, YYYY-MM-DD")
		case err != nil:
			pr.add(f+"date", t.Date, "want a date YYYY-MM-DD")
		case !InTimeRange(d):
			pr.add(f+"date", t.Date, "outside the supported range "+TimeRange)
		}
	}
}

// validateGoals checks the personal goals: each a non-empty line of text.
func (p Plan) validateGoals(pr *problems) {
	if len(p.Goals) > MaxPlanGoals {
		pr.add("goals", fmt.Sprint(len(p.Goals)), fmt.Sprintf("more than %d goals", MaxPlanGoals))
	}
	for i, g := range p.Goals {
		text(pr, fmt.Sprintf("goals[%d]", i), g, true)
		if strings.ContainsAny(g, "\r\n") {
			pr.add(fmt.Sprintf("goals[%d]", i), g, "one goal per line: no line breaks inside a goal")
		}
	}
}

// rows checks a list is not longer than MaxPlanRows.
func rows(pr *problems, field string, n int) {
	if n > MaxPlanRows {
		pr.add(field, fmt.Sprint(n), fmt.Sprintf("more than %d lines", MaxPlanRows))
	}
}

// text checks a free-text field: present when required, no longer than MaxPlanText, valid UTF-8.
func text(pr *problems, field, v string, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		pr.add(field, "", "required")
	case !utf8.ValidString(v):
		pr.add(field, "", "not valid UTF-8")
	case utf8.RuneCountInString(v) > MaxPlanText:
		pr.add(field, "", fmt.Sprintf("longer than %d characters", MaxPlanText))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		pr.add(field, v, "control characters are not allowed")
	}
}
