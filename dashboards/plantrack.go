package dashboards

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// PlanTracking is a plan against what happened, month by month up to the as-of moment.
type PlanTracking struct {
	AsOf time.Time `json:"as_of"`
	// Elapsed is how many of the plan's months have passed, in fractions of a month.
	Elapsed  float64           `json:"elapsed_months"`
	Accounts []PlanAccountLine `json:"accounts"`
	Months   []PlanMonthLine   `json:"months"`
	// Activities are the objectives against activities done, summed over the months so far.
	Activities []PlanActivityLine `json:"activities"`
	// CreatedOther is pipeline created so far with accounts the plan does not name.
	CreatedOther float64 `json:"created_other_accounts"`
	// GapCost is the won revenue the recipe says the activity shortfall so far will cost.
	GapCost float64 `json:"gap_cost"`
}

// PlanAccountLine is one planned account: the plan, the share due by now, and the pipeline created with it.
type PlanAccountLine struct {
	Account      string  `json:"account"`
	CloseQuarter string  `json:"close_quarter"`
	Planned      float64 `json:"planned"`
	// DueToDate is Planned spread evenly over the plan's months, up to now.
	DueToDate float64 `json:"due_to_date"`
	Created   float64 `json:"created"`
	Deals     int     `json:"deals"`
}

// PlanMonthLine is one month of the plan so far.
type PlanMonthLine struct {
	Month string `json:"month"`
	// Elapsed is the share of the month passed by the as-of moment (1 for a past month).
	Elapsed float64 `json:"elapsed"`
	// PlannedPipeline is the planned pipeline spread evenly over the months, times Elapsed.
	PlannedPipeline float64            `json:"planned_pipeline"`
	Created         float64            `json:"created"`
	CreatedOther    float64            `json:"created_other_accounts"`
	Activities      []PlanActivityLine `json:"activities"`
	GapCost         float64            `json:"gap_cost"`
}

// PlanActivityLine is one kind's objective (times the share of time passed) against activities done.
type PlanActivityLine struct {
	Kind      string  `json:"kind"`
	Objective float64 `json:"objective"`
	Done      uint64  `json:"done"`
	Shortfall float64 `json:"shortfall"`
	// Value is the recipe's won revenue per activity of the kind; null when the recipe does not vouch for one.
	Value *float64 `json:"value_per_activity"`
	// Cost is Shortfall x Value: won revenue the recipe says the shortfall will cost, over the kind's lags.
	Cost float64 `json:"cost"`
}

// planTracking measures a saved plan against the deals created and the activities done up to the as-of moment.
func (s *Server) planTracking(ctx context.Context, req *request, p salesrecipe.Plan, b *planBasis) (*PlanTracking, error) {
	asOf := req.q.asOf
	tr := &PlanTracking{AsOf: asOf, Accounts: []PlanAccountLine{}, Months: []PlanMonthLine{}, Activities: []PlanActivityLine{}}
	var months []salesrecipe.Period
	for _, m := range p.Span() {
		if m.Start.After(asOf) {
			break
		}
		months = append(months, m)
	}
	if len(months) == 0 {
		return tr, nil
	}
	deals, err := s.cfg.Store.RepDealsAsOf(ctx, req.firm, req.rep.ID, asOf)
	if err != nil {
		return nil, err
	}
	counts, err := s.cfg.Store.RepActivityCounts(ctx, req.firm, req.rep.ID, salesrecipe.GrainMonth, months[0].Start, p.End(), asOf)
	if err != nil {
		return nil, err
	}
	done := map[string]map[string]uint64{} // by month, "2026-03": times read back may carry another location
	for _, c := range counts {
		m := salesrecipe.NewPeriod(salesrecipe.GrainMonth, c.Period).String()
		if done[m] == nil {
			done[m] = map[string]uint64{}
		}
		done[m][c.Kind] += c.N
	}
	planned := planAccounts(p)
	created := createdByMonth(deals, planned, months, asOf)
	for _, m := range months {
		tr.addMonth(p, m, monthElapsed(m, asOf), created[m.String()], done[m.String()], b.values)
	}
	tr.addAccounts(p, created)
	tr.round()
	return tr, nil
}

// accountKey is how a planned account is matched with a deal's account id: trimmed, case folded.
func accountKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// planAccounts returns the plan's accounts by key.
func planAccounts(p salesrecipe.Plan) map[string]bool {
	out := map[string]bool{}
	for _, a := range p.Accounts {
		out[accountKey(a.Account)] = true
	}
	return out
}

// created is the pipeline created in one month: per planned account (amount, deals), and with other accounts.
type created struct {
	amount map[string]float64
	deals  map[string]int
	other  float64
}

// createdByMonth sums the deals created in each month up to asOf, at their amounts as of asOf.
func createdByMonth(deals []salesrecipe.Deal, planned map[string]bool, months []salesrecipe.Period, asOf time.Time) map[string]*created {
	out := map[string]*created{}
	for _, m := range months {
		out[m.String()] = &created{amount: map[string]float64{}, deals: map[string]int{}}
	}
	for _, d := range deals {
		if d.CreatedAt.IsZero() || d.CreatedAt.After(asOf) {
			continue
		}
		c := out[salesrecipe.NewPeriod(salesrecipe.GrainMonth, d.CreatedAt).String()]
		if c == nil {
			continue
		}
		if k := accountKey(d.AccountID); k != "" && planned[k] {
			c.amount[k] += d.Amount
			c.deals[k]++
		} else {
			c.other += d.Amount
		}
	}
	return out
}

// monthElapsed returns the share of month m passed at asOf.
func monthElapsed(m salesrecipe.Period, asOf time.Time) float64 {
	if !asOf.Before(m.End()) {
		return 1
	}
	return math.Max(0, float64(asOf.Sub(m.Start))/float64(m.End().Sub(m.Start)))
}

// addMonth adds one month: pipeline created against the plan, activities against the objectives and their cost.
func (tr *PlanTracking) addMonth(p salesrecipe.Plan, m salesrecipe.Period, elapsed float64, c *created, done map[string]uint64, values map[string]float64) {
	tr.Elapsed += elapsed
	line := PlanMonthLine{Month: m.String(), Elapsed: elapsed, PlannedPipeline: p.PlannedPipeline() / float64(p.Months) * elapsed,
		CreatedOther: c.other, Activities: []PlanActivityLine{}}
	for _, v := range c.amount {
		line.Created += v
	}
	tr.CreatedOther += c.other
	kinds := map[string]float64{}
	for _, o := range p.Objectives {
		kinds[o.Kind] = o.PerMonth
	}
	for k := range done {
		if _, ok := kinds[k]; !ok {
			kinds[k] = 0
		}
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		a := PlanActivityLine{Kind: k, Objective: kinds[k] * elapsed, Done: done[k]}
		a.Shortfall = math.Max(0, a.Objective-float64(a.Done))
		if v, ok := values[k]; ok {
			a.Value, a.Cost = ptr(round2(v)), a.Shortfall*v
		}
		line.GapCost += a.Cost
		line.Activities = append(line.Activities, a)
		tr.addActivity(a)
	}
	tr.GapCost += line.GapCost
	tr.Months = append(tr.Months, line)
}

// addActivity adds a month's line of a kind to the plan's totals.
func (tr *PlanTracking) addActivity(a PlanActivityLine) {
	for i := range tr.Activities {
		t := &tr.Activities[i]
		if t.Kind == a.Kind {
			t.Objective += a.Objective
			t.Done += a.Done
			t.Shortfall += a.Shortfall
			t.Cost += a.Cost
			return
		}
	}
	tr.Activities = append(tr.Activities, a)
}

// addAccounts adds each planned account with the pipeline due and created so far.
func (tr *PlanTracking) addAccounts(p salesrecipe.Plan, byMonth map[string]*created) {
	for _, a := range p.Accounts {
		l := PlanAccountLine{Account: a.Account, CloseQuarter: a.CloseQuarter, Planned: a.Amount,
			DueToDate: a.Amount * tr.Elapsed / float64(p.Months)}
		for _, c := range byMonth {
			l.Created += c.amount[accountKey(a.Account)]
			l.Deals += c.deals[accountKey(a.Account)]
		}
		tr.Accounts = append(tr.Accounts, l)
	}
}

// round rounds the money and counts to what the pages show.
func (tr *PlanTracking) round() {
	tr.Elapsed, tr.CreatedOther, tr.GapCost = round4(tr.Elapsed), round2(tr.CreatedOther), round2(tr.GapCost)
	for i := range tr.Accounts {
		a := &tr.Accounts[i]
		a.DueToDate, a.Created = round2(a.DueToDate), round2(a.Created)
	}
	for i := range tr.Months {
		m := &tr.Months[i]
		m.Elapsed, m.PlannedPipeline, m.Created, m.CreatedOther, m.GapCost = round4(m.Elapsed), round2(m.PlannedPipeline), round2(m.Created), round2(m.CreatedOther), round2(m.GapCost)
		roundActivities(m.Activities)
	}
	roundActivities(tr.Activities)
}

// roundActivities rounds objectives and shortfalls to tenths and costs to cents.
func roundActivities(as []PlanActivityLine) {
	for i := range as {
		a := &as[i]
		a.Objective, a.Shortfall, a.Cost = math.Round(a.Objective*10)/10, math.Round(a.Shortfall*10)/10, round2(a.Cost)
	}
}
