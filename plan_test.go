package salesrecipe

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPlanValidate(t *testing.T) {
	ok := Plan{RepID: "r1", From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Months: 6, Multiple: 3,
		Accounts:   []PlanAccount{{Account: "Initech", Amount: 120000, CloseQuarter: "2026-Q4"}},
		Objectives: []PlanObjective{{Kind: "call", PerMonth: 40}},
		Training:   []PlanTraining{{Topic: "Negotiation", Date: "2026-08-12", Owner: "Max"}},
		Goals:      []string{"Run a half marathon"}}
	with := func(f func(*Plan)) Plan {
		p := ok
		p.Accounts = append([]PlanAccount(nil), ok.Accounts...)
		p.Objectives = append([]PlanObjective(nil), ok.Objectives...)
		p.Training = append([]PlanTraining(nil), ok.Training...)
		f(&p)
		return p
	}
	runValidate(t, []validateCase{
		{"valid", ok, ""},
		{"empty lists", with(func(p *Plan) { p.Accounts, p.Objectives, p.Training, p.Goals = nil, nil, nil, nil }), ""},
		{"no rep", with(func(p *Plan) { p.RepID = "" }), "rep_id: required"},
		{"no from", with(func(p *Plan) { p.From = time.Time{} }), "from: required: the plan's first month, YYYY-MM"},
		{"from mid-month", with(func(p *Plan) { p.From = p.From.AddDate(0, 0, 3) }),
			`from: value "2026-07-04T00:00:00Z": not the first day of a month at 00:00 UTC`},
		{"from out of range", with(func(p *Plan) { p.From = time.Date(2100, 12, 1, 0, 0, 0, 0, time.UTC) }),
			`from: value "2100-12": outside the supported range 1970-01-01 to 2100-12-31 UTC; accounts[0].close_quarter: value "2026-Q4": before the plan's first quarter 2100-Q4`},
		{"months 0", with(func(p *Plan) { p.Months = 0 }), `months: value "0": want 1 to 24`},
		{"months 25", with(func(p *Plan) { p.Months = 25 }), `months: value "25": want 1 to 24`},
		{"multiple 0", with(func(p *Plan) { p.Multiple = 0 }), `multiple: value "0": want a multiple of quota above 0 and at most 100`},
		{"account unnamed", with(func(p *Plan) { p.Accounts[0].Account = " " }), "accounts[0].account: required"},
		{"account twice", with(func(p *Plan) {
			p.Accounts = append(p.Accounts, PlanAccount{Account: "initech ", Amount: 1, CloseQuarter: "2026-Q3"})
		}),
			`accounts[1].account: value "initech ": listed twice; put the account's whole planned pipeline on one line`},
		{"amount negative", with(func(p *Plan) { p.Accounts[0].Amount = -5 }), `accounts[0].amount: value "-5": must not be negative`},
		{"amount zero", with(func(p *Plan) { p.Accounts[0].Amount = 0 }), `accounts[0].amount: value "0": must be above 0`},
		{"amount NaN", with(func(p *Plan) { p.Accounts[0].Amount = math.NaN() }), `accounts[0].amount: value "NaN": not a finite number`},
		{"amount cents", with(func(p *Plan) { p.Accounts[0].Amount = 1.005 }), `accounts[0].amount: value "1.005": more than 2 decimals; amounts are stored to the cent`},
		{"quarter missing", with(func(p *Plan) { p.Accounts[0].CloseQuarter = "" }), "accounts[0].close_quarter: required: the quarter the pipeline should close in, such as 2026-Q3"},
		{"quarter is a month", with(func(p *Plan) { p.Accounts[0].CloseQuarter = "2026-09" }), `accounts[0].close_quarter: value "2026-09": want a quarter such as 2026-Q3`},
		{"quarter before", with(func(p *Plan) { p.Accounts[0].CloseQuarter = "2026-Q2" }), `accounts[0].close_quarter: value "2026-Q2": before the plan's first quarter 2026-Q3`},
		{"quarter far", with(func(p *Plan) { p.Accounts[0].CloseQuarter = "2028-Q2" }), `accounts[0].close_quarter: value "2028-Q2": more than a year after the plan ends`},
		{"kind empty", with(func(p *Plan) { p.Objectives[0].Kind = "" }), "objectives[0].kind: required"},
		{"kind twice", with(func(p *Plan) { p.Objectives = append(p.Objectives, PlanObjective{Kind: "call"}) }), `objectives[1].kind: value "call": listed twice`},
		{"objective fraction", with(func(p *Plan) { p.Objectives[0].PerMonth = 2.5 }), `objectives[0].per_month: value "2.5": want a whole number of activities`},
		{"objective negative", with(func(p *Plan) { p.Objectives[0].PerMonth = -1 }), `objectives[0].per_month: value "-1": want a count of 0 or more`},
		{"training no topic", with(func(p *Plan) { p.Training[0].Topic = "" }), "training[0].topic: required"},
		{"training bad date", with(func(p *Plan) { p.Training[0].Date = "12/08/2026" }), `training[0].date: value "12/08/2026": want a date YYYY-MM-DD`},
		{"training no date", with(func(p *Plan) { p.Training[0].Date = "" }), "training[0].date: required, YYYY-MM-DD"},
		{"owner too long", with(func(p *Plan) { p.Training[0].Owner = strings.Repeat("x", MaxPlanText+1) }), "training[0].owner: longer than 500 characters"},
		{"goal with NUL", with(func(p *Plan) { p.Goals = []string{"a\x00b"} }), `goals[0]: value "a\x00b": control characters are not allowed`},
		{"goal two lines", with(func(p *Plan) { p.Goals = []string{"a\nb"} }), `goals[0]: value "a\nb": one goal per line: no line breaks inside a goal`},
		{"goal empty", with(func(p *Plan) { p.Goals = []string{""} }), "goals[0]: required"},
		{"too many accounts", with(func(p *Plan) {
			p.Accounts = nil
			for i := range MaxPlanRows + 1 {
				p.Accounts = append(p.Accounts, PlanAccount{Account: "a" + strings.Repeat("x", i), Amount: 1, CloseQuarter: "2026-Q3"})
			}
		}), `accounts: value "201": more than 200 lines`},
	})
}

func TestPlanSpan(t *testing.T) {
	p := Plan{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Months: 3,
		Accounts: []PlanAccount{{Amount: 10.1}, {Amount: 20.2}}}
	var got []string
	for _, m := range p.Span() {
		got = append(got, m.String())
	}
	if strings.Join(got, " ") != "2026-11 2026-12 2027-01" {
		t.Errorf("Span() = %v", got)
	}
	if want := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC); !p.End().Equal(want) {
		t.Errorf("End() = %s, want %s", p.End(), want)
	}
	if p.PlannedPipeline() != 30.3 {
		t.Errorf("PlannedPipeline() = %v, want 30.3", p.PlannedPipeline())
	}
}
