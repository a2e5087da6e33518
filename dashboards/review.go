package dashboards

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// reviewWeeks returns last week (the last complete ISO week before the as-of
// moment) and the week before it.
func reviewWeeks(asOf time.Time) (last, before salesrecipe.Period) {
	this := salesrecipe.NewPeriod(salesrecipe.GrainWeek, asOf)
	return this.Prev(), this.Prev().Prev()
}

// weekChanges is the period's pipeline changes during last week, per rep.
func (s *Server) weekChanges(ctx context.Context, req *request, sees func(id string) bool) (map[string]*waterfall, error) {
	last, _ := reviewWeeks(req.q.asOf)
	start, end := minTime(last.Start, req.q.asOf), minTime(last.End(), req.q.asOf)
	moves, err := s.cfg.Store.PipelineChanges(ctx, req.firm, req.q.period.Start, req.q.period.End(), start, end)
	if err != nil {
		return nil, err
	}
	out := map[string]*waterfall{}
	for _, d := range moves {
		if !sees(d.RepID) {
			continue
		}
		if out[d.RepID] == nil {
			out[d.RepID] = newWaterfall()
		}
		out[d.RepID].add(classify(d, req.q.period, start, end))
	}
	return out, nil
}

// repReviewPage is the printable page of one rep for the monthly review and the Monday meeting.
func (s *Server) repReviewPage(ctx context.Context, req *request) (*page, error) {
	d, err := s.repDetailOf(ctx, req)
	if err != nil {
		return nil, err
	}
	last, before := reviewWeeks(req.q.asOf)
	pg := &page{Title: "Review: " + d.Name, Print: true, Notes: d.Notes,
		Subtitle: fmt.Sprintf("%s · %s, as of %s · last week %s (%s – %s)", d.RepID, d.Period, asOfLabel(d.AsOf), last,
			last.Start.Format("Jan 2"), last.End().AddDate(0, 0, -1).Format("Jan 2"))}
	if d.Forecast != nil {
		pg.Tiles = moneyTiles(d.Forecast.Money)
	}
	counts, err := s.cfg.Store.RepActivityCounts(ctx, req.firm, d.RepID, salesrecipe.GrainWeek, before.Start, last.End(), req.q.asOf)
	if err != nil {
		return nil, err
	}
	weeks := weekActivity(counts, last, func(id string) bool { return id == d.RepID })[d.RepID]
	actSec, err := weekActivitySection(weeks, last, before)
	if err != nil {
		return nil, err
	}
	changes, err := s.weekChanges(ctx, req, func(id string) bool { return id == d.RepID })
	if err != nil {
		return nil, err
	}
	w := changes[d.RepID]
	if w == nil {
		w = newWaterfall()
	}
	pg.Sections = append(pg.Sections, actSec, weekChangesSection(w, last))
	for _, b := range []func(*RepDetail) (section, error){repStandSection, needsSection, activitySection} {
		sec, err := b(d)
		if err != nil {
			return nil, err
		}
		if sec.ID != "" {
			pg.Sections = append(pg.Sections, sec)
		}
	}
	plan, err := s.planSections(ctx, req, false)
	if err != nil {
		return nil, err
	}
	pg.Sections = append(pg.Sections, plan...)
	return pg, nil
}

// weekActivity splits activity counts per rep and kind into the week before
// (index 0) and last week (index 1), keeping the reps keep admits.
func weekActivity(counts []queries.ActivityCount, last salesrecipe.Period, keep func(repID string) bool) map[string]map[string][2]uint64 {
	acts := map[string]map[string][2]uint64{}
	for _, c := range counts {
		if !keep(c.RepID) {
			continue
		}
		if acts[c.RepID] == nil {
			acts[c.RepID] = map[string][2]uint64{}
		}
		w := acts[c.RepID][c.Kind]
		if c.Period.Equal(last.Start) {
			w[1] += c.N
		} else {
			w[0] += c.N
		}
		acts[c.RepID][c.Kind] = w
	}
	return acts
}

// weekActivitySection compares last week's activity with the week before.
func weekActivitySection(weeks map[string][2]uint64, last, before salesrecipe.Period) (section, error) {
	t := &table{ID: "last-week", Columns: []column{{Label: "Activity"}, {Label: before.String(), Num: true}, {Label: last.String(), Num: true}, {Label: "Change", Num: true}}}
	var x []string
	var a, b []float64
	for _, k := range slices.Sorted(maps.Keys(weeks)) {
		w := weeks[k]
		x, a, b = append(x, k), append(a, float64(w[0])), append(b, float64(w[1]))
		t.Rows = append(t.Rows, []cell{textCell(k), numCell(float64(w[0]), 0), numCell(float64(w[1]), 0), numCell(float64(w[1])-float64(w[0]), 0)})
	}
	c, err := categoryChart("last-week", "Activities last week and the week before", "activities", x, []series{
		{name: before.String(), kind: types.ChartBar, values: a, color: colMuted},
		{name: last.String(), kind: types.ChartBar, values: b, color: colClosed},
	})
	return section{ID: "last-week", Title: "Last week's activity", Chart: c, Table: t}, err
}

// weekChangesSection is last week's changes to the period's pipeline.
func weekChangesSection(w *waterfall, last salesrecipe.Period) section {
	t := changesTable("week-changes", w, "Open at the start of the week", "Open at the end of the week")
	return section{ID: "week-changes", Title: "Last week's pipeline changes", Table: t,
		Note: "Changes during " + last.String() + " to the open deals expected to close this period."}
}

// teamReviewPage is the printable page of a manager's reps for the Monday meeting.
func (s *Server) teamReviewPage(ctx context.Context, req *request) (*page, error) {
	fc, err := s.firmForecast(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	v := viewOf(fc, req.who)
	last, before := reviewWeeks(req.q.asOf)
	pg := &page{Title: "Team review", Print: true, Notes: v.Notes, Tiles: moneyTiles(v.FirmTotal.Money),
		Subtitle: fmt.Sprintf("%s, as of %s, %s · last week %s (%s – %s)", req.q.period, asOfLabel(req.q.asOf), v.TotalLabel, last,
			last.Start.Format("Jan 2"), last.End().AddDate(0, 0, -1).Format("Jan 2"))}
	sees := map[string]bool{}
	for _, r := range v.Reps {
		sees[r.RepID] = true
	}
	counts, err := s.cfg.Store.ActivityCounts(ctx, req.firm, salesrecipe.GrainWeek, before.Start, last.End(), req.q.asOf)
	if err != nil {
		return nil, err
	}
	acts := weekActivity(counts, last, func(id string) bool { return sees[id] })
	kinds := map[string]bool{}
	for _, weeks := range acts {
		for k := range weeks {
			kinds[k] = true
		}
	}
	changes, err := s.weekChanges(ctx, req, func(id string) bool { return sees[id] })
	if err != nil {
		return nil, err
	}
	calls, err := s.callChangesSection(ctx, req)
	if err != nil {
		return nil, err
	}
	pg.Sections = append(pg.Sections, standingsSection(v), teamWeekSection(v, acts, slices.Sorted(maps.Keys(kinds)), last, before), teamChangesSection(v, changes, last), calls)
	return pg, nil
}

// standingsSection is where each rep stands and what it takes.
func standingsSection(v *view) section {
	t := &table{ID: "standings", Columns: []column{{Label: "Rep"}, {Label: "Quota", Num: true}, {Label: "Closed won", Num: true},
		{Label: "Forecast", Num: true}, {Label: "Attainment", Num: true}, {Label: "Gap", Num: true}, {Label: "Coverage", Num: true}, {Label: "What it takes (any one)"}}}
	for _, r := range v.Reps {
		t.Rows = append(t.Rows, []cell{linkCell(r.Name, "/review/"+r.RepID), optMoneyCell(r.Quota), moneyCell(r.ClosedWon), moneyCell(r.Forecast),
			pctCell(r.Attainment), optMoneyCell(r.Gap), timesCell(r.Coverage), textCell(needsText(r.WhatItTakes))})
	}
	return section{ID: "standings", Title: "Where the period stands", Table: t}
}

// needsText summarizes what it takes: "+12 demo or +30,000 pipeline".
func needsText(needs []forecast.Need) string {
	var parts []string
	for _, n := range needs {
		switch {
		case n.OutOfReach:
			continue
		case n.Kind == forecast.KindPipeline:
			parts = append(parts, "+"+formatMoney(n.Additional)+" pipeline")
		default:
			parts = append(parts, "+"+formatNumber(n.Additional, 0)+" "+n.Kind)
		}
	}
	if len(parts) == 0 && len(needs) > 0 {
		return "out of reach this period"
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " or ")
}

// teamWeekSection is last week's activity per rep, with the change from the week before.
func teamWeekSection(v *view, acts map[string]map[string][2]uint64, kinds []string, last, before salesrecipe.Period) section {
	cols := []column{{Label: "Rep"}}
	for _, k := range kinds {
		cols = append(cols, column{Label: k, Num: true}, column{Label: k + " vs " + before.String(), Num: true})
	}
	t := &table{ID: "team-week", Columns: cols}
	for _, r := range v.Reps {
		row := []cell{textCell(r.Name)}
		for _, k := range kinds {
			w := acts[r.RepID][k]
			row = append(row, numCell(float64(w[1]), 0), numCell(float64(w[1])-float64(w[0]), 0))
		}
		t.Rows = append(t.Rows, row)
	}
	return section{ID: "team-week", Title: "Last week's activity (" + last.String() + ")", Table: t}
}

// teamChangesSection is last week's pipeline changes per rep.
func teamChangesSection(v *view, changes map[string]*waterfall, last salesrecipe.Period) section {
	cols := []column{{Label: "Rep"}, {Label: "Start", Num: true}}
	for _, k := range changeKinds {
		cols = append(cols, column{Label: k.label, Num: true})
	}
	t := &table{ID: "team-changes", Columns: append(cols, column{Label: "End", Num: true})}
	for _, r := range v.Reps {
		w := changes[r.RepID]
		if w == nil {
			w = newWaterfall()
		}
		row := []cell{textCell(r.Name), moneyCell(w.Start)}
		for _, k := range changeKinds {
			row = append(row, moneyCell(w.Amount[k.kind]))
		}
		t.Rows = append(t.Rows, append(row, moneyCell(w.End)))
	}
	return section{ID: "team-changes", Title: "Last week's pipeline changes", Table: t,
		Note: "Changes during " + last.String() + " to each rep's open deals expected to close this period."}
}
