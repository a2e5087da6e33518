package dashboards

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// historyPeriods is how many past periods the rep page shows.
const historyPeriods = 6

// RepDetail is the JSON form of a rep's page: their forecast row, activity
// against the objectives "what it takes" derives, pipeline and past periods.
type RepDetail struct {
	Firm   string    `json:"firm"`
	Period string    `json:"period"`
	AsOf   time.Time `json:"as_of"`
	RepID  string    `json:"rep_id"`
	Name   string    `json:"name"`
	Team   string    `json:"team"`
	// Forecast is the rep's row of the firm's forecast; null when the forecast has no row for them.
	Forecast *forecast.RepRow `json:"forecast"`
	Activity []ActivityLine   `json:"activity"`
	Stages   []StageLine      `json:"pipeline_by_stage"`
	Accounts []AccountLine    `json:"pipeline_by_account"`
	History  []PeriodLine     `json:"history"`
	Notes    []string         `json:"notes"`
}

// ActivityLine is one activity kind this period: done so far, where the rep's own
// pace lands, and the objective that closes the gap ("what it takes").
type ActivityLine struct {
	Kind string `json:"kind"`
	Done uint64 `json:"done"`
	// AtPace is Done plus the activity still expected at the rep's own pace.
	AtPace float64 `json:"at_pace"`
	// Objective is AtPace plus what it takes of this kind alone; null when out of reach
	// this period, equal to AtPace when the forecast meets the quota.
	Objective *float64 `json:"objective"`
}

// AccountLine is the rep's open pipeline with one account.
type AccountLine struct {
	Account      string  `json:"account"`
	Deals        int     `json:"deals"`
	Amount       float64 `json:"amount"`
	PeriodAmount float64 `json:"period_amount"`
	// NextClose is the earliest expected close date of the open deals; null when none has one.
	NextClose *time.Time `json:"next_close"`
	// InferredDeals counts the open deals whose state the store inferred from a one-row export (see
	// salesrecipe.UnknownStage): stage unknown, no expected close date, amount unknown (counted as 0).
	InferredDeals int `json:"inferred_deals"`
}

// PeriodLine is one past period of the rep.
type PeriodLine struct {
	Period     string            `json:"period"`
	Quota      *float64          `json:"quota"`
	ClosedWon  float64           `json:"closed_won"`
	Attainment *float64          `json:"attainment"`
	Activities map[string]uint64 `json:"activities"`
}

// stageTotals returns the firm's open deals per rep and stage for a selection, cached.
func (s *Server) stageTotals(ctx context.Context, firm string, q params) ([]queries.StageTotal, error) {
	return cached(ctx, s, "stages\x00"+firm+"\x00"+q.key(), func(ctx context.Context) ([]queries.StageTotal, error) {
		return s.cfg.Store.StageTotals(ctx, firm, q.period.Start, q.period.End(), q.asOf)
	})
}

// repDetailOf reads the rep page's numbers for req.rep, whom the guard admitted.
func (s *Server) repDetailOf(ctx context.Context, req *request) (*RepDetail, error) {
	rep, q := req.rep, req.q
	d := &RepDetail{Firm: req.firm, Period: q.period.String(), AsOf: q.asOf, RepID: rep.ID, Name: rep.Name, Team: rep.Team}
	fc, err := s.firmForecast(ctx, req.firm, q)
	if err != nil {
		return nil, err
	}
	for _, r := range fc.Reps {
		if r.RepID == rep.ID {
			d.Forecast = &r
			d.Notes = append(d.Notes, r.Notes...)
		}
	}
	if d.Forecast == nil {
		d.Notes = append(d.Notes, "The forecast of "+q.period.String()+" has no row for this rep (no quota, activity or deals in it).")
	}
	if sr, err := s.recipeOf(ctx, req.firm, q); err != nil {
		return nil, err
	} else if sr != nil && sr.model.UsesNewOpportunities() {
		d.Notes = append(d.Notes, capitalize(sr.model.InputsNote())+".")
	}
	if err := s.addRepActivity(ctx, req, d); err != nil {
		return nil, err
	}
	if err := s.addRepPipeline(ctx, req, d); err != nil {
		return nil, err
	}
	if err := s.addRepHistory(ctx, req, d); err != nil {
		return nil, err
	}
	return d, nil
}

// addRepActivity fills the activity of the period against the objectives.
func (s *Server) addRepActivity(ctx context.Context, req *request, d *RepDetail) error {
	q := req.q
	counts, err := s.cfg.Store.RepActivityCounts(ctx, req.firm, req.rep.ID, q.period.Grain, q.period.Start, q.period.End(), q.asOf)
	if err != nil {
		return err
	}
	done := map[string]uint64{}
	for _, c := range counts {
		done[c.Kind] += c.N
	}
	kinds := map[string]bool{}
	for k := range done {
		kinds[k] = true
	}
	need := map[string]forecast.Need{}
	if f := d.Forecast; f != nil {
		for k := range f.Parts.ExpectedActivities {
			kinds[k] = true
		}
		for _, n := range f.WhatItTakes {
			if n.Kind != forecast.KindPipeline {
				need[n.Kind] = n
				kinds[n.Kind] = true
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		l := ActivityLine{Kind: k, Done: done[k], AtPace: float64(done[k])}
		if f := d.Forecast; f != nil {
			l.AtPace += f.Parts.ExpectedActivities[k]
		}
		l.AtPace = round2(l.AtPace)
		obj := l.AtPace
		if n, ok := need[k]; ok {
			if n.OutOfReach {
				l.Objective = nil
				d.Activity = append(d.Activity, l)
				continue
			}
			obj += n.Additional
		}
		l.Objective = ptr(round2(obj))
		d.Activity = append(d.Activity, l)
	}
	return nil
}

// addRepPipeline fills the rep's open pipeline by stage and by account.
func (s *Server) addRepPipeline(ctx context.Context, req *request, d *RepDetail) error {
	totals, err := s.stageTotals(ctx, req.firm, req.q)
	if err != nil {
		return err
	}
	stages, err := s.cfg.Store.Stages(ctx, req.firm)
	if err != nil {
		return err
	}
	est, err := s.amountEstimates(ctx, req.firm, req.q, totals)
	if err != nil {
		return err
	}
	d.Stages = stageLines(totals, stages, est, func(id string) bool { return id == req.rep.ID })
	deals, err := s.cfg.Store.RepDealsAsOf(ctx, req.firm, req.rep.ID, req.q.asOf)
	if err != nil {
		return err
	}
	d.Accounts = accountsOf(deals, req.q.period)
	return nil
}

// accountsOf sums open deals per account, largest first.
func accountsOf(deals []salesrecipe.Deal, p salesrecipe.Period) []AccountLine {
	by := map[string]*AccountLine{}
	for _, dl := range deals {
		if dl.Status != salesrecipe.StatusOpen {
			continue
		}
		a := by[dl.AccountID]
		if a == nil {
			a = &AccountLine{Account: orString(dl.AccountID, "(no account)")}
			by[dl.AccountID] = a
		}
		a.Deals++
		a.Amount += dl.Amount
		if p.Contains(dl.CloseDate) {
			a.PeriodAmount += dl.Amount
		}
		if dl.Inferred {
			a.InferredDeals++
		}
		if !dl.CloseDate.IsZero() && (a.NextClose == nil || dl.CloseDate.Before(*a.NextClose)) { // zero: no expected close date
			a.NextClose = &dl.CloseDate
		}
	}
	out := make([]AccountLine, 0, len(by))
	for _, a := range by {
		a.Amount, a.PeriodAmount = round2(a.Amount), round2(a.PeriodAmount)
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b AccountLine) int {
		if a.Amount != b.Amount {
			if a.Amount > b.Amount {
				return -1
			}
			return 1
		}
		if a.Account < b.Account {
			return -1
		}
		return 1
	})
	return out
}

// addRepHistory fills the past periods: quota, closed won and activity.
func (s *Server) addRepHistory(ctx context.Context, req *request, d *RepDetail) error {
	q := req.q
	past := periodsBack(q.period, historyPeriods)
	from, to := past[0].Start, q.period.Start
	won, err := s.cfg.Store.WonRevenue(ctx, req.firm, q.period.Grain, from, to, q.asOf)
	if err != nil {
		return err
	}
	quotas, err := s.cfg.Store.Quotas(ctx, req.firm, from.AddDate(0, -3, 0), to)
	if err != nil {
		return err
	}
	counts, err := s.cfg.Store.RepActivityCounts(ctx, req.firm, req.rep.ID, q.period.Grain, from, to, q.asOf)
	if err != nil {
		return err
	}
	for _, p := range past {
		l := PeriodLine{Period: p.String(), Activities: map[string]uint64{}}
		for _, w := range won {
			if w.RepID == req.rep.ID && w.Period.Equal(p.Start) {
				l.ClosedWon = round2(w.Amount)
			}
		}
		if qt, ok := quotaIn(quotas, req.rep.ID, p); ok {
			l.Quota = ptr(qt)
			l.Attainment = roundRatio(forecast.Ratio(l.ClosedWon, qt))
		}
		for _, c := range counts {
			if c.Period.Equal(p.Start) {
				l.Activities[c.Kind] += c.N
			}
		}
		d.History = append(d.History, l)
	}
	return nil
}

// quotaIn returns a rep's quota for a period: a quota of the same grain, or
// the share of a quarterly quota for a month (a third).
func quotaIn(quotas []salesrecipe.Quota, rep string, p salesrecipe.Period) (float64, bool) {
	for _, qt := range quotas {
		if qt.RepID != rep {
			continue
		}
		switch {
		case qt.Period == p.Grain && qt.PeriodStart.Equal(p.Start):
			return qt.Amount, true
		case qt.Period == salesrecipe.GrainQuarter && p.Grain == salesrecipe.GrainMonth && qt.Span().Contains(p.Start):
			return round2(qt.Amount / 3), true
		}
	}
	return 0, false
}

// repPage shows one rep's period: forecast, closed vs quota, pipeline, activity vs objectives, and past periods.
func (s *Server) repPage(ctx context.Context, req *request) (*page, error) {
	d, err := s.repDetailOf(ctx, req)
	if err != nil {
		return nil, err
	}
	pg := &page{Title: d.Name, Subtitle: fmt.Sprintf("%s · team %s · %s, as of %s", d.RepID, orString(d.Team, "—"), d.Period, asOfLabel(d.AsOf)), Notes: d.Notes}
	if d.Forecast != nil {
		pg.Tiles = moneyTiles(d.Forecast.Money)
	}
	builders := []func(*RepDetail) (section, error){repStandSection, activitySection, needsSection, repStagesSection, accountsSection, historySection}
	for _, b := range builders {
		sec, err := b(d)
		if err != nil {
			return nil, err
		}
		if sec.ID != "" {
			pg.Sections = append(pg.Sections, sec)
		}
	}
	call, err := s.repCallSection(ctx, req, d)
	if err != nil {
		return nil, err
	}
	plan, err := s.planSections(ctx, req, true)
	if err != nil {
		return nil, err
	}
	pg.Sections = append(append(append(pg.Sections, call), plan...), section{ID: "links", Title: "More", Links: []link{{"Printable review", "/review/" + d.RepID}}})
	return pg, nil
}

// repStandSection is where the period stands: closed, forecast with interval, quota.
func repStandSection(d *RepDetail) (section, error) {
	f := d.Forecast
	if f == nil {
		return section{}, nil
	}
	x := []string{"Closed won", "Forecast", "Quota"}
	c, err := categoryChart("stand", "Closed won, forecast with its 80% interval, and quota", "amount", x, append([]series{
		{name: "Amount", kind: types.ChartBar, values: []float64{f.ClosedWon, f.Forecast, nanIfNil(f.Quota)}, color: colForecast},
	}, interval("80%", []float64{math.NaN(), f.Low, math.NaN()}, []float64{math.NaN(), f.High, math.NaN()})...))
	t := &table{ID: "stand", Columns: moneyColumns("Rep", "Team"),
		Rows: [][]cell{append([]cell{textCell(d.Name), textCell(d.Team)}, moneyCells(f.Money)...)}}
	return section{ID: "stand", Title: "Where the period stands", Chart: c, Table: t}, err
}

// activitySection is the period's activity against the objectives.
func activitySection(d *RepDetail) (section, error) {
	t := &table{ID: "activity", Columns: []column{{Label: "Activity"}, {Label: "Done", Num: true}, {Label: "At your pace", Num: true}, {Label: "Objective", Num: true}}}
	var x []string
	var done, pace, obj []float64
	for _, a := range d.Activity {
		x = append(x, a.Kind)
		done, pace, obj = append(done, float64(a.Done)), append(pace, a.AtPace), append(obj, nanIfNil(a.Objective))
		oc := cell{Text: "out of reach", Sort: "-1", Num: true}
		if a.Objective != nil {
			oc = numCell(*a.Objective, 0)
		}
		t.Rows = append(t.Rows, []cell{textCell(a.Kind), numCell(float64(a.Done), 0), numCell(a.AtPace, 0), oc})
	}
	c, err := categoryChart("activity", "Activities done this period, where the rep's pace lands, and the objective", "activities", x, []series{
		{name: "Done", kind: types.ChartBar, values: done, color: colClosed},
		{name: "At your pace", kind: types.ChartBar, values: pace, color: colMuted},
		{name: "Objective", kind: types.ChartLine, values: obj, color: colQuota, cap: true},
	})
	note := "Objective: the activity at your own pace plus what it takes of that kind alone to close the gap to quota (\"what it takes\"); each kind is an alternative, not a sum."
	return section{ID: "activity", Title: "Activity vs objectives", Note: note, Chart: c, Table: t}, err
}

// needsSection is "what it takes": the extra of each lever that alone closes the gap.
func needsSection(d *RepDetail) (section, error) {
	if d.Forecast == nil {
		return section{}, nil
	}
	t := &table{ID: "what-it-takes", Columns: []column{{Label: "Lever"}, {Label: "Additional this period", Num: true}}}
	for _, n := range d.Forecast.WhatItTakes {
		label, c := n.Kind+" activities", numCell(n.Additional, 0)
		if n.Kind == forecast.KindPipeline {
			label, c = "open pipeline closing this period", moneyCell(n.Additional)
		}
		if n.OutOfReach {
			c = cell{Text: strings.TrimSuffix("out of reach this period: "+n.Reason, ": "), Sort: "-1", Num: true}
		}
		t.Rows = append(t.Rows, []cell{textCell(label), c})
	}
	note := "Each line alone closes the gap between forecast and quota."
	if len(t.Rows) == 0 {
		note = "Nothing: the forecast meets the quota (or there is no quota)."
	}
	return section{ID: "what-it-takes", Title: "What it takes", Note: note, Table: t}, nil
}

// repStagesSection is the rep's open pipeline by stage.
func repStagesSection(d *RepDetail) (section, error) {
	sec, err := stagesSection(&Pipeline{Stages: d.Stages})
	sec.Title, sec.Note = "Pipeline by stage", "Open deals at the as-of time."
	return sec, err
}

// accountsSection is the rep's open pipeline by account.
func accountsSection(d *RepDetail) (section, error) {
	t := &table{ID: "accounts", Columns: []column{{Label: "Account"}, {Label: "Open deals", Num: true}, {Label: "Amount", Num: true},
		{Label: "Closing in period", Num: true}, {Label: "Next close"}, {Label: "Inferred deals", Num: true}}}
	var x []string
	var amt, inP []float64
	inferred := 0
	for i, a := range d.Accounts {
		inferred += a.InferredDeals
		if i < 15 {
			x, amt, inP = append(x, a.Account), append(amt, a.Amount), append(inP, a.PeriodAmount)
		}
		t.Rows = append(t.Rows, []cell{textCell(a.Account), numCell(float64(a.Deals), 0), moneyCell(a.Amount), moneyCell(a.PeriodAmount), dateCell(orZero(a.NextClose)), numCell(float64(a.InferredDeals), 0)})
	}
	c, err := categoryChart("accounts", "Open pipeline of the largest accounts", "amount", x, []series{
		{name: "Open", kind: types.ChartBar, values: amt, color: colMuted},
		{name: "Closing in period", kind: types.ChartBar, values: inP, color: colPipeline},
	})
	note := "The chart shows the 15 largest; the table has every account."
	if inferred > 0 {
		note += fmt.Sprintf(" %d open deals have a history inferred from a one-row export: their stage is %s, they have no expected close date, and their amount is unknown (counted as 0 here; the forecast values each at the rep's mean won amount).",
			inferred, salesrecipe.UnknownStage)
	}
	return section{ID: "accounts", Title: "Pipeline by account", Note: note, Chart: c, Table: t}, err
}

// historySection is the same numbers over past periods.
func historySection(d *RepDetail) (section, error) {
	kinds := map[string]bool{}
	for _, h := range d.History {
		for k := range h.Activities {
			kinds[k] = true
		}
	}
	order := slices.Sorted(maps.Keys(kinds))
	cols := []column{{Label: "Period"}, {Label: "Quota", Num: true}, {Label: "Closed won", Num: true}, {Label: "Attainment", Num: true}}
	for _, k := range order {
		cols = append(cols, column{Label: k, Num: true})
	}
	t := &table{ID: "history", Columns: cols}
	var x []string
	var closed, quota []float64
	for _, h := range d.History {
		x, closed, quota = append(x, h.Period), append(closed, h.ClosedWon), append(quota, nanIfNil(h.Quota))
		row := []cell{textCell(h.Period), optMoneyCell(h.Quota), moneyCell(h.ClosedWon), pctCell(h.Attainment)}
		for _, k := range order {
			row = append(row, numCell(float64(h.Activities[k]), 0))
		}
		t.Rows = append(t.Rows, row)
	}
	c, err := categoryChart("history", "Closed won against quota in past periods", "amount", x, []series{
		{name: "Closed won", kind: types.ChartBar, values: closed, color: colClosed},
		{name: "Quota", kind: types.ChartLine, values: quota, color: colQuota, dashed: true},
	})
	return section{ID: "history", Title: "Past periods", Chart: c, Table: t}, err
}

// orZero returns *t, or the zero time for nil.
func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
