package dashboards

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
)

// planFormID is the id of the plan form; the layout adds the session's CSRF token to it.
const planFormID = "plan-form"

// Blank lines the plan form offers beyond the saved ones.
const (
	blankAccounts = 5
	blankTraining = 3
)

// planForm fills the plan form of the rep page.
type planForm struct {
	ID         string
	Action     string
	From       string
	Months     int
	Target     string
	Accounts   []formAccount
	Objectives []formObjective
	Training   []salesrecipe.PlanTraining
	Goals      string
	Known      []string
	Quarters   []string
}

// formAccount is one account line of the form, its amount as typed.
type formAccount struct {
	Account, Amount, CloseQuarter string
}

// formObjective is one objective line of the form: the count saved (or suggested) and the recipe's suggestion.
type formObjective struct {
	Kind, PerMonth, Suggested string
}

// planSections returns the plan covering the selected period against actual, and on the rep page
// (edit set) the form to write or change it.
func (s *Server) planSections(ctx context.Context, req *request, edit bool) ([]section, error) {
	from, _, err := s.coveringFrom(ctx, req)
	if err != nil {
		return nil, err
	}
	a, err := s.planAnswer(ctx, req, from)
	if err != nil {
		return nil, err
	}
	var out []section
	if a.Plan == nil {
		out = append(out, section{ID: "plan", Title: "Business plan",
			Note: "No business plan covers " + req.q.period.String() + " yet." + editHint(edit)})
	} else {
		out = append(out, planSummarySection(a), planAccountsSection(a), planMonthsSection(a), planActivitySection(a), planTrainingSection(a))
	}
	if edit {
		deals, err := s.cfg.Store.RepDealsAsOf(ctx, req.firm, req.rep.ID, req.q.asOf)
		if err != nil {
			return nil, err
		}
		out = append(out, section{ID: "plan-edit", Title: "Write or change the plan", Form: newPlanForm(a, from, deals),
			Note: "Every save is kept; the latest counts. Blank lines are skipped; objectives are pre-filled with what the recipe says it takes."})
	}
	return out, nil
}

// editHint points to the form on the rep page.
func editHint(edit bool) string {
	if edit {
		return " Write one in the form below."
	}
	return " The rep writes it on their page."
}

// planSummarySection is the plan's target against the firm's rule and the coverage the forecast says the rep needs.
func planSummarySection(a *PlanAnswer) section {
	p := a.Plan
	last := p.Span()[len(p.Span())-1]
	t := &table{ID: "plan-summary", Columns: []column{{Label: "Measure"}, {Label: "Value", Num: true}}}
	add := func(label string, c cell) { t.Rows = append(t.Rows, []cell{textCell(label), c}) }
	add(fmt.Sprintf("Quota over the plan (%d of %d months have one)", a.QuotaMonths, p.Months), optMoneyCell(a.Quota))
	add("Firm's rule: pipeline as a multiple of quota", timesCell(&p.Multiple))
	add("Target pipeline (rule × quota)", optMoneyCell(a.TargetPipeline))
	add("Planned pipeline, all accounts", moneyCell(p.PlannedPipeline()))
	add("Coverage the forecast says this rep needs ("+a.CoveragePeriod+")", timesCell(a.RequiredCoverage))
	if tr := a.Tracking; tr != nil {
		add("Pipeline created with other accounts so far", moneyCell(tr.CreatedOther))
		add("What the activity shortfall so far will cost (recipe)", moneyCell(tr.GapCost))
	}
	note := fmt.Sprintf("%s to %s, saved %s by %s (%s kept).", a.From, last, asOfLabel(p.SavedAt), p.SavedBy, plural(len(a.History), "version"))
	if a.RequiredCoverage != nil && *a.RequiredCoverage > p.Multiple {
		note += fmt.Sprintf(" The forecast says this rep's pipeline converts so that they need %s×, more than the firm's %s×.",
			formatNumber(*a.RequiredCoverage, 1), formatNumber(p.Multiple, 1))
	}
	return section{ID: "plan", Title: "Business plan", Note: strings.Join(append([]string{note}, a.Notes...), " "), Table: t}
}

// planAccountsSection is the pipeline created with each planned account against the plan.
func planAccountsSection(a *PlanAnswer) section {
	t := &table{ID: "plan-accounts", Columns: []column{{Label: "Account"}, {Label: "Close quarter"}, {Label: "Planned", Num: true},
		{Label: "Due by now", Num: true}, {Label: "Created", Num: true}, {Label: "Created − due", Num: true}, {Label: "Deals", Num: true}}}
	for _, l := range a.Tracking.Accounts {
		t.Rows = append(t.Rows, []cell{textCell(l.Account), textCell(l.CloseQuarter), moneyCell(l.Planned), moneyCell(l.DueToDate),
			moneyCell(l.Created), moneyCell(l.Created - l.DueToDate), numCell(float64(l.Deals), 0)})
	}
	return section{ID: "plan-accounts", Title: "Plan vs actual: pipeline by account", Table: t,
		Note: "Deals created since the plan's first month whose account id matches a planned account (ignoring case), at their amounts as of now; due by now spreads each account's plan evenly over the plan's months."}
}

// planMonthsSection is each month of the plan so far: pipeline and activity against the plan, and what the gap costs.
func planMonthsSection(a *PlanAnswer) section {
	tr := a.Tracking
	kinds := planKinds(tr)
	cols := []column{{Label: "Month"}, {Label: "Planned pipeline", Num: true}, {Label: "Created, planned accounts", Num: true}, {Label: "Created, other", Num: true}}
	for _, k := range kinds {
		cols = append(cols, column{Label: k + " done", Num: true}, column{Label: k + " objective", Num: true})
	}
	t := &table{ID: "plan-months", Columns: append(cols, column{Label: "Cost of the shortfall", Num: true})}
	var x []string
	var plan, made []float64
	for _, m := range tr.Months {
		x, plan, made = append(x, m.Month), append(plan, m.PlannedPipeline), append(made, m.Created)
		row := []cell{textCell(m.Month), moneyCell(m.PlannedPipeline), moneyCell(m.Created), moneyCell(m.CreatedOther)}
		for _, k := range kinds {
			l := activityOf(m.Activities, k)
			row = append(row, numCell(float64(l.Done), 0), numCell(l.Objective, 0))
		}
		t.Rows = append(t.Rows, append(row, moneyCell(m.GapCost)))
	}
	c, err := categoryChart("plan-months", "Pipeline created with the planned accounts against the plan, by month", "amount", x, []series{
		{name: "Planned", kind: types.ChartBar, values: plan, color: colMuted},
		{name: "Created", kind: types.ChartBar, values: made, color: colPipeline},
	})
	sec := section{ID: "plan-months", Title: "Plan vs actual by month", Table: t, Chart: c,
		Note: "The current month's plan and objectives count the share of the month passed."}
	if err != nil || len(x) == 0 {
		sec.Chart = nil
	}
	if len(x) == 0 {
		sec.Note = "The plan has not started yet."
	}
	return sec
}

// planKinds returns the activity kinds of the months so far, in order.
func planKinds(tr *PlanTracking) []string {
	var kinds []string
	for _, a := range tr.Activities {
		kinds = append(kinds, a.Kind)
	}
	slices.Sort(kinds)
	return kinds
}

// activityOf returns the line of a kind, or an empty one.
func activityOf(as []PlanActivityLine, kind string) PlanActivityLine {
	for _, a := range as {
		if a.Kind == kind {
			return a
		}
	}
	return PlanActivityLine{Kind: kind}
}

// planActivitySection is the activities so far against the objectives, and the revenue the shortfall costs.
func planActivitySection(a *PlanAnswer) section {
	t := &table{ID: "plan-activity", Columns: []column{{Label: "Activity"}, {Label: "Objective so far", Num: true}, {Label: "Done", Num: true},
		{Label: "Shortfall", Num: true}, {Label: "Value per activity", Num: true}, {Label: "Cost", Num: true}}}
	for _, l := range a.Tracking.Activities {
		t.Rows = append(t.Rows, []cell{textCell(l.Kind), numCell(l.Objective, 0), numCell(float64(l.Done), 0), numCell(l.Shortfall, 0),
			optMoneyCell(l.Value), moneyCell(l.Cost)})
	}
	t.Foot = []cell{textCell("Total"), {}, {}, {}, {}, moneyCell(a.Tracking.GapCost)}
	return section{ID: "plan-activity", Title: "Plan vs actual: activities", Table: t,
		Note: "Cost: the shortfall times the recipe's won revenue per activity, landing over the kind's lags; kinds the recipe does not vouch for (value unknown or not above zero) cost nothing here."}
}

// planTrainingSection lists the plan's training and personal goals.
func planTrainingSection(a *PlanAnswer) section {
	t := &table{ID: "plan-training", Columns: []column{{Label: "Training or goal"}, {Label: "Date"}, {Label: "Owner"}}}
	for _, tr := range a.Plan.Training {
		t.Rows = append(t.Rows, []cell{textCell(tr.Topic), textCell(tr.Date), textCell(tr.Owner)})
	}
	for _, g := range a.Plan.Goals {
		t.Rows = append(t.Rows, []cell{textCell("Goal: " + g), textCell("—"), textCell(a.Name)})
	}
	return section{ID: "plan-training", Title: "Training and personal goals", Table: t}
}

// newPlanForm fills the form from the latest saved plan, or from the recipe's suggestions.
func newPlanForm(a *PlanAnswer, from salesrecipe.Period, deals []salesrecipe.Deal) *planForm {
	f := &planForm{ID: planFormID, Action: "/reps/" + url.PathEscape(a.RepID) + "/plan", From: from.String(), Months: a.Months,
		Target: "—", Quarters: planQuarters(from, a.Months)}
	if a.TargetPipeline != nil {
		f.Target = formatMoney(*a.TargetPipeline) + " (" + formatNumber(a.Multiple, 1) + "× the quota of the plan's months)"
	}
	saved := map[string]float64{}
	if p := a.Plan; p != nil {
		for _, ac := range p.Accounts {
			f.Accounts = append(f.Accounts, formAccount{ac.Account, strconv.FormatFloat(ac.Amount, 'f', -1, 64), ac.CloseQuarter})
		}
		for _, o := range p.Objectives {
			saved[o.Kind] = o.PerMonth
		}
		f.Training, f.Goals = p.Training, strings.Join(p.Goals, "\n")
	}
	f.Accounts = append(f.Accounts, make([]formAccount, blankAccounts)...)
	f.Training = append(slices.Clone(f.Training), make([]salesrecipe.PlanTraining, blankTraining)...)
	f.Objectives = formObjectives(a.Plan != nil, saved, a.SuggestedObjectives)
	known := map[string]bool{}
	for _, d := range deals {
		if d.AccountID != "" && !known[d.AccountID] {
			known[d.AccountID] = true
			f.Known = append(f.Known, d.AccountID)
		}
	}
	slices.Sort(f.Known)
	return f
}

// formObjectives lists the saved objectives (or, without a plan, the suggested ones) with the suggestion beside each, and a blank line.
func formObjectives(hasPlan bool, saved map[string]float64, suggested []salesrecipe.PlanObjective) []formObjective {
	sug := map[string]float64{}
	kinds := map[string]bool{}
	for _, o := range suggested {
		sug[o.Kind], kinds[o.Kind] = o.PerMonth, true
	}
	for k := range saved {
		kinds[k] = true
	}
	var out []formObjective
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		o := formObjective{Kind: k, Suggested: "—"}
		if v, ok := sug[k]; ok {
			o.Suggested = formatNumber(v, 0)
		}
		v, ok := saved[k]
		if !hasPlan {
			v, ok = sug[k]
		}
		if ok {
			o.PerMonth = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, o)
	}
	return append(out, formObjective{Suggested: "—"})
}

// planQuarters lists the quarters a planned account may close in: from the plan's first quarter to a year after it ends.
func planQuarters(from salesrecipe.Period, months int) []string {
	var out []string
	end := from.Start.AddDate(0, months+12, 0)
	for q := salesrecipe.NewPeriod(salesrecipe.GrainQuarter, from.Start); q.Start.Before(end); q = q.Next() {
		out = append(out, q.String())
	}
	return out
}

// planFormInput reads the plan form: lines of accounts, objectives and training (blank lines
// skipped) and one goal per line of the goals box.
func planFormInput(f url.Values) (planInput, error) {
	var in planInput
	var problems []salesrecipe.FieldError
	num := func(field, v string) float64 {
		x, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v), ",", ""), 64)
		if err != nil {
			problems = append(problems, salesrecipe.FieldError{Field: field, Value: v, Reason: "not a number"})
		}
		return x
	}
	for i := range f["account"] {
		acc, amt, q := at(f, "account", i), at(f, "amount", i), at(f, "close_quarter", i)
		if acc == "" && amt == "" && q == "" {
			continue
		}
		field := fmt.Sprintf("accounts[%d].amount", len(in.Accounts))
		in.Accounts = append(in.Accounts, salesrecipe.PlanAccount{Account: acc, Amount: num(field, amt), CloseQuarter: q})
	}
	for i := range f["kind"] {
		kind, n := at(f, "kind", i), at(f, "per_month", i)
		if kind == "" && n == "" {
			continue
		}
		field := fmt.Sprintf("objectives[%d].per_month", len(in.Objectives))
		in.Objectives = append(in.Objectives, salesrecipe.PlanObjective{Kind: kind, PerMonth: num(field, n)})
	}
	for i := range f["topic"] {
		tr := salesrecipe.PlanTraining{Topic: at(f, "topic", i), Date: at(f, "date", i), Owner: at(f, "owner", i)}
		if tr != (salesrecipe.PlanTraining{}) {
			in.Training = append(in.Training, tr)
		}
	}
	for _, g := range strings.Split(f.Get("goals"), "\n") {
		if g = strings.TrimSpace(g); g != "" {
			in.Goals = append(in.Goals, g)
		}
	}
	if len(problems) > 0 {
		return in, &salesrecipe.ValidationError{Fields: problems}
	}
	return in, nil
}

// at returns the i-th value of a repeated form field, trimmed; "" past its end.
func at(f url.Values, name string, i int) string {
	if vs := f[name]; i < len(vs) {
		return strings.TrimSpace(vs[i])
	}
	return ""
}

// plural renders "1 version" or "3 versions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
