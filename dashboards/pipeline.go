package dashboards

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// conversionHistory is how far back the stage conversion looks: deals created in the last year.
const conversionHistory = 12

// Pipeline is the JSON form of the pipeline page: stage totals, stage
// conversion and the period's pipeline changes, over the reps the caller sees.
type Pipeline struct {
	Firm       string           `json:"firm"`
	Period     string           `json:"period"`
	AsOf       time.Time        `json:"as_of"`
	Stages     []StageLine      `json:"stages"`
	Conversion []ConversionLine `json:"conversion"`
	// ConversionFrom is the first creation day of the deals behind Conversion.
	ConversionFrom time.Time    `json:"conversion_from"`
	Changes        Changes      `json:"changes"`
	Reps           []RepChanges `json:"reps"`
	waterfall      *waterfall
}

// StageLine is the open pipeline in one stage.
type StageLine struct {
	Stage string `json:"stage"`
	// Inferred marks the stage of inferred versions (salesrecipe.UnknownStage): deals known only by a
	// one-row export, open since their creation in a stage nobody recorded.
	Inferred bool `json:"inferred"`
	// Probability is the stages file's; null for a stage it has none for (the unknown stage, or one missing from the file).
	Probability *float64 `json:"probability"`
	OpenDeals   uint64   `json:"open_deals"`
	// OpenAmount sums the recorded amounts; deals of unknown amount count 0 in it (see EstimatedAmount).
	OpenAmount float64 `json:"open_amount"`
	// PeriodDeals and PeriodAmount are the open deals expected to close in the period.
	PeriodDeals  uint64  `json:"period_deals"`
	PeriodAmount float64 `json:"period_amount"`
	// Weighted is PeriodAmount times the stages file's probability; 0 without one.
	Weighted float64 `json:"weighted"`
	// UnknownAmountDeals counts the open deals whose amount is unknown (every inferred one, and open deals
	// exported without a value); EstimatedAmount is what the forecast values them at, each its rep's mean
	// won amount known at the as-of time (forecast.EstimateAmounts): an estimate, not in OpenAmount.
	UnknownAmountDeals uint64  `json:"unknown_amount_deals"`
	EstimatedAmount    float64 `json:"estimated_amount"`
}

// ConversionLine is what became of the deals that were ever in a stage.
type ConversionLine struct {
	Stage string `json:"stage"`
	Deals uint64 `json:"deals"`
	Won   uint64 `json:"won"`
	Lost  uint64 `json:"lost"`
	// WinRate is won / (won + lost); null before any closed.
	WinRate *float64 `json:"win_rate"`
}

// Changes is the waterfall of the period's open pipeline from Start to End.
type Changes struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Start      float64   `json:"start"`
	Created    float64   `json:"created"`
	PulledIn   float64   `json:"pulled_in"`
	AmountUp   float64   `json:"amount_up"`
	AmountDown float64   `json:"amount_down"`
	PushedOut  float64   `json:"pushed_out"`
	Won        float64   `json:"won"`
	Lost       float64   `json:"lost"`
	End        float64   `json:"end"`
}

// RepChanges is one rep's waterfall.
type RepChanges struct {
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
	Team  string `json:"team"`
	Changes
}

// changesOf turns a waterfall into its JSON form.
func changesOf(w *waterfall, from, to time.Time) Changes {
	a := w.Amount
	return Changes{From: from, To: to, Start: round2(w.Start), End: round2(w.End),
		Created: round2(a[changeCreated]), PulledIn: round2(a[changePulledIn]), AmountUp: round2(a[changeAmountUp]),
		AmountDown: round2(a[changeAmountDown]), PushedOut: round2(a[changePushedOut]), Won: round2(a[changeWon]), Lost: round2(a[changeLost])}
}

// pipelineOf reads the pipeline of the reps the viewer sees.
func (s *Server) pipelineOf(ctx context.Context, req *request) (*Pipeline, error) {
	st, firm, q := s.cfg.Store, req.firm, req.q
	reps, err := s.reps(ctx, firm)
	if err != nil {
		return nil, err
	}
	team := map[string]salesrecipe.Rep{}
	for _, r := range reps {
		team[r.ID] = r
	}
	sees := func(id string) bool { return req.who.seesRep(id, team[id].Team) }
	stages, err := st.Stages(ctx, firm)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{Firm: firm, Period: q.period.String(), AsOf: q.asOf}
	if err := s.addStages(ctx, req, p, stages, sees); err != nil {
		return nil, err
	}
	if err := s.addConversion(ctx, req, p, stages, sees); err != nil {
		return nil, err
	}
	start := minTime(q.period.Start, q.asOf)
	end := minTime(q.period.End(), q.asOf)
	moves, err := st.PipelineChanges(ctx, firm, q.period.Start, q.period.End(), start, end)
	if err != nil {
		return nil, err
	}
	p.waterfall = newWaterfall()
	byRep := map[string]*waterfall{}
	for _, d := range moves {
		if !sees(d.RepID) {
			continue
		}
		m := classify(d, q.period, start, end)
		p.waterfall.add(m)
		if byRep[d.RepID] == nil {
			byRep[d.RepID] = newWaterfall()
		}
		byRep[d.RepID].add(m)
	}
	p.Changes = changesOf(p.waterfall, start, end)
	for _, id := range slices.Sorted(maps.Keys(byRep)) {
		r := team[id]
		p.Reps = append(p.Reps, RepChanges{RepID: id, Name: orString(r.Name, id), Team: r.Team, Changes: changesOf(byRep[id], start, end)})
	}
	return p, nil
}

// addStages sums open deals per stage, in the stages file's order.
func (s *Server) addStages(ctx context.Context, req *request, p *Pipeline, stages []salesrecipe.Stage, sees func(string) bool) error {
	totals, err := s.stageTotals(ctx, req.firm, req.q)
	if err != nil {
		return err
	}
	est, err := s.amountEstimates(ctx, req.firm, req.q, totals)
	if err != nil {
		return err
	}
	p.Stages = stageLines(totals, stages, est, sees)
	return nil
}

// amountEstimates returns what the forecast values open deals of unknown amount at, read only when
// some of totals have an unknown amount.
func (s *Server) amountEstimates(ctx context.Context, firm string, q params, totals []queries.StageTotal) (forecast.AmountEstimates, error) {
	if !slices.ContainsFunc(totals, func(t queries.StageTotal) bool { return t.UnknownAmount > 0 }) {
		return forecast.AmountEstimates{}, nil
	}
	return cached(ctx, s, "estimates\x00"+firm+"\x00"+q.key(), func(ctx context.Context) (forecast.AmountEstimates, error) {
		return forecast.EstimateAmounts(ctx, s.cfg.Store, firm, q.period.Grain, q.asOf)
	})
}

// stageLines sums the open deals of the reps keep admits per stage, in the
// stages file's order, weighted by the file's probabilities, with the
// deals of unknown amount valued at est.
func stageLines(totals []queries.StageTotal, stages []salesrecipe.Stage, est forecast.AmountEstimates, keep func(repID string) bool) []StageLine {
	lines := map[string]*StageLine{}
	for _, t := range totals {
		if !keep(t.RepID) {
			continue
		}
		l := lines[t.Stage]
		if l == nil {
			l = &StageLine{Stage: t.Stage, Inferred: t.Stage == salesrecipe.UnknownStage}
			lines[t.Stage] = l
		}
		l.OpenDeals += t.Deals
		l.OpenAmount += t.Amount
		l.PeriodDeals += t.DealsInPeriod
		l.PeriodAmount += t.AmountInPeriod
		l.UnknownAmountDeals += t.UnknownAmount
		l.EstimatedAmount += float64(t.UnknownAmount) * est.Of(t.RepID)
	}
	byName := stagesByName(stages)
	var out []StageLine
	for _, name := range stageOrder(stages, lines) {
		l := lines[name]
		l.OpenAmount, l.PeriodAmount, l.EstimatedAmount = round2(l.OpenAmount), round2(l.PeriodAmount), round2(l.EstimatedAmount)
		if st, ok := byName[name]; ok && !l.Inferred {
			l.Probability = ptr(st.Probability)
			l.Weighted = round2(l.PeriodAmount * st.Probability)
		}
		out = append(out, *l)
	}
	return out
}

// stageLabel names a stage for a page: the stage of inferred versions says where it comes from.
func stageLabel(stage string) string {
	if stage == salesrecipe.UnknownStage {
		return "unknown (history inferred from a one-row export)"
	}
	return stage
}

// stagesByName indexes the stages file by stage name.
func stagesByName(stages []salesrecipe.Stage) map[string]salesrecipe.Stage {
	out := make(map[string]salesrecipe.Stage, len(stages))
	for _, st := range stages {
		out[st.Name] = st
	}
	return out
}

// addConversion sums, per stage, what became of the deals that were ever in it.
func (s *Server) addConversion(ctx context.Context, req *request, p *Pipeline, stages []salesrecipe.Stage, sees func(string) bool) error {
	p.ConversionFrom = salesrecipe.NewPeriod(salesrecipe.GrainMonth, req.q.asOf).Start.AddDate(0, -conversionHistory, 0)
	conv, err := s.cfg.Store.StageConversions(ctx, req.firm, p.ConversionFrom, req.q.asOf)
	if err != nil {
		return err
	}
	lines := map[string]*ConversionLine{}
	for _, c := range conv {
		if !sees(c.RepID) {
			continue
		}
		l := lines[c.Stage]
		if l == nil {
			l = &ConversionLine{Stage: c.Stage}
			lines[c.Stage] = l
		}
		l.Deals += c.Deals
		l.Won += c.Won
		l.Lost += c.Lost
	}
	byName := stagesByName(stages)
	for _, name := range stageOrder(stages, lines) {
		if closedStage(byName[name]) {
			continue
		}
		l := lines[name]
		if closed := l.Won + l.Lost; closed > 0 {
			l.WinRate = ptr(round4(float64(l.Won) / float64(closed)))
		}
		p.Conversion = append(p.Conversion, *l)
	}
	return nil
}

// closedStage reports whether the stages file puts a stage in the closed or
// omitted category (a stage missing from the file, the zero Stage, is neither).
func closedStage(st salesrecipe.Stage) bool {
	return st.Category == salesrecipe.CategoryClosed || st.Category == salesrecipe.CategoryOmitted
}

// stageOrder lists the stages present in lines: the stages file's order first, then the rest by name.
func stageOrder[T any](stages []salesrecipe.Stage, lines map[string]T) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range stages {
		if _, ok := lines[st.Name]; ok {
			out = append(out, st.Name)
			seen[st.Name] = true
		}
	}
	var rest []string
	for name := range lines {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// pipelinePage shows stage totals, conversion and the period's pipeline changes.
func (s *Server) pipelinePage(ctx context.Context, req *request) (*page, error) {
	p, err := s.pipelineOf(ctx, req)
	if err != nil {
		return nil, err
	}
	pg := &page{Title: "Pipeline", Subtitle: fmt.Sprintf("%s, as of %s, %s", p.Period, asOfLabel(p.AsOf), scopeLabel(req.who))}
	var inPeriod, weighted, estimated float64
	var deals, unknown uint64
	for _, l := range p.Stages {
		inPeriod += l.PeriodAmount
		weighted += l.Weighted
		deals += l.PeriodDeals
		estimated += l.EstimatedAmount
		unknown += l.UnknownAmountDeals
	}
	pg.Tiles = []tile{
		{Label: "Open pipeline closing in " + p.Period, Value: formatMoney(inPeriod), Sub: fmt.Sprintf("%d deals", deals)},
		{Label: "Weighted by stage probability", Value: formatMoney(weighted), Sub: "stages file"},
		{Label: "Won in period", Value: formatMoney(p.Changes.Won), Sub: fmt.Sprintf("%d deals", p.waterfall.Deals[changeWon])},
		{Label: "Net change since " + p.Changes.From.Format("Jan 2"), Value: signedMoney(p.Changes.End - p.Changes.Start), Sub: "open pipeline of the period"},
	}
	if unknown > 0 {
		pg.Tiles = append(pg.Tiles, tile{Label: "Open deals of unknown amount (estimated)", Value: formatMoney(estimated) + " est.",
			Sub: fmt.Sprintf("%d deals at their rep's mean won amount", unknown)})
	}
	if len(p.Stages) == 0 && len(p.Conversion) == 0 {
		pg.Notes = append(pg.Notes, "No deals are visible for this selection.")
	}
	for _, build := range []func(*Pipeline) (section, error){stagesSection, conversionSection, waterfallSection, repChangesSection} {
		sec, err := build(p)
		if err != nil {
			return nil, err
		}
		pg.Sections = append(pg.Sections, sec)
	}
	return pg, nil
}

// stagesSection is the stage totals chart and table.
func stagesSection(p *Pipeline) (section, error) {
	t := &table{ID: "stages", Columns: []column{{Label: "Stage"}, {Label: "Probability", Num: true}, {Label: "Open deals", Num: true},
		{Label: "Open amount", Num: true}, {Label: "Closing in period", Num: true}, {Label: "Amount closing in period", Num: true}, {Label: "Weighted", Num: true},
		{Label: "Deals of unknown amount", Num: true}, {Label: "Their estimated value (est.)", Num: true}}}
	var x []string
	var all, inP, w, est []float64
	var unknown uint64
	for _, l := range p.Stages {
		x = append(x, stageLabel(l.Stage))
		all, inP, w, est = append(all, l.OpenAmount), append(inP, l.PeriodAmount), append(w, l.Weighted), append(est, l.EstimatedAmount)
		unknown += l.UnknownAmountDeals
		t.Rows = append(t.Rows, []cell{textCell(stageLabel(l.Stage)), pctCell(l.Probability), numCell(float64(l.OpenDeals), 0), moneyCell(l.OpenAmount),
			numCell(float64(l.PeriodDeals), 0), moneyCell(l.PeriodAmount), moneyCell(l.Weighted),
			numCell(float64(l.UnknownAmountDeals), 0), estimatedCell(l.UnknownAmountDeals, l.EstimatedAmount)})
	}
	s := []series{
		{name: "All open", kind: types.ChartBar, values: all, color: colMuted},
		{name: "Closing in period", kind: types.ChartBar, values: inP, color: colPipeline},
		{name: "Weighted", kind: types.ChartBar, values: w, color: colForecast},
	}
	note := "Open deals at the as-of time; weighted uses the stages file's probabilities."
	if unknown > 0 {
		s = append(s, series{name: "Unknown amounts, estimated", kind: types.ChartBar, values: est, color: colQuota})
		note += fmt.Sprintf(" %d open deals have an unknown amount (counted 0 in the amounts): the last two columns value each at its rep's mean won amount known at the as-of time, "+
			"shrunk toward the firm's, as the forecast does (an estimate). The %s row holds deals whose history is inferred from a one-row export: "+
			"their stage before closing and expected close date are unknown, so they have no stage probability and no weighted amount.", unknown, stageLabel(salesrecipe.UnknownStage))
	}
	c, err := categoryChart("stages", "Open pipeline by stage", "amount", x, s)
	return section{ID: "stages", Title: "Stage totals", Note: note, Chart: c, Table: t}, err
}

// estimatedCell is an estimated amount marked as such, or a dash when no deal needs one.
func estimatedCell(deals uint64, v float64) cell {
	if deals == 0 {
		return optMoneyCell(nil)
	}
	c := moneyCell(v)
	c.Text += " (est.)"
	return c
}

// conversionSection is the stage conversion chart and table.
func conversionSection(p *Pipeline) (section, error) {
	t := &table{ID: "conversion", Columns: []column{{Label: "Stage"}, {Label: "Deals ever in stage", Num: true}, {Label: "Won", Num: true},
		{Label: "Lost", Num: true}, {Label: "Win rate", Num: true}}}
	var x []string
	var rate []float64
	for _, l := range p.Conversion {
		x = append(x, stageLabel(l.Stage))
		r := nanIfNil(l.WinRate)
		rate = append(rate, 100*r)
		t.Rows = append(t.Rows, []cell{textCell(stageLabel(l.Stage)), numCell(float64(l.Deals), 0), numCell(float64(l.Won), 0), numCell(float64(l.Lost), 0), pctCell(l.WinRate)})
	}
	c, err := categoryChart("conversion", "Win rate of deals that were ever in each stage", "% won", x, []series{
		{name: "Win rate (% of closed)", kind: types.ChartBar, values: rate, color: colClosed},
	})
	note := fmt.Sprintf("Deals created since %s; win rate = won / (won + lost).", p.ConversionFrom.Format(time.DateOnly))
	return section{ID: "conversion", Title: "Stage conversion", Note: note, Chart: c, Table: t}, err
}

// waterfallSection is the period's pipeline changes as a waterfall.
func waterfallSection(p *Pipeline) (section, error) {
	w := p.waterfall
	t := changesTable("changes", w, "Open at start", "Open at end")
	x := []string{"Start"}
	base, up, down := []float64{0}, []float64{w.Start}, []float64{0}
	level := w.Start
	for _, k := range changeKinds {
		a := w.Amount[k.kind]
		x = append(x, k.label)
		if k.sign > 0 {
			base, up, down = append(base, level), append(up, a), append(down, 0)
			level += a
		} else {
			level -= a
			base, up, down = append(base, level), append(up, 0), append(down, a)
		}
	}
	x = append(x, "End")
	base, up, down = append(base, 0), append(up, w.End), append(down, 0)
	c, err := categoryChart("waterfall", "How the period's open pipeline changed", "amount", x, []series{
		{name: "Running level", kind: types.ChartBar, values: base, stack: "w", color: "rgba(0,0,0,0)"},
		{name: "Adds", kind: types.ChartBar, values: up, stack: "w", color: colClosed},
		{name: "Removes", kind: types.ChartBar, values: down, stack: "w", color: colQuota},
	})
	note := fmt.Sprintf("Open deals expected to close in %s, from %s to %s: start + created + pulled in + amount up − amount down − pushed out − won − lost = end.",
		p.Period, asOfLabel(p.Changes.From), asOfLabel(p.Changes.To))
	return section{ID: "changes", Title: "Pipeline changes", Note: note, Chart: c, Table: t}, err
}

// changesTable is a waterfall as a Change / Deals / Amount table, between a
// start and an end row with the given labels.
func changesTable(id string, w *waterfall, startLabel, endLabel string) *table {
	t := &table{ID: id, Columns: []column{{Label: "Change"}, {Label: "Deals", Num: true}, {Label: "Amount", Num: true}}}
	t.Rows = append(t.Rows, []cell{textCell(startLabel), numCell(float64(w.StartN), 0), moneyCell(w.Start)})
	for _, k := range changeKinds {
		t.Rows = append(t.Rows, []cell{textCell(k.label), numCell(float64(w.Deals[k.kind]), 0), moneyCell(k.sign * w.Amount[k.kind])})
	}
	t.Rows = append(t.Rows, []cell{textCell(endLabel), numCell(float64(w.EndN), 0), moneyCell(w.End)})
	return t
}

// repChangesSection is the waterfall per rep.
func repChangesSection(p *Pipeline) (section, error) {
	t := &table{ID: "rep-changes", Columns: []column{{Label: "Rep"}, {Label: "Team"}, {Label: "Start", Num: true}, {Label: "Created", Num: true},
		{Label: "Pulled in", Num: true}, {Label: "Amount up", Num: true}, {Label: "Amount down", Num: true}, {Label: "Pushed out", Num: true},
		{Label: "Won", Num: true}, {Label: "Lost", Num: true}, {Label: "End", Num: true}}}
	for _, r := range p.Reps {
		t.Rows = append(t.Rows, []cell{linkCell(r.Name, "/reps/"+r.RepID), textCell(r.Team), moneyCell(r.Start), moneyCell(r.Created), moneyCell(r.PulledIn),
			moneyCell(r.AmountUp), moneyCell(r.AmountDown), moneyCell(r.PushedOut), moneyCell(r.Won), moneyCell(r.Lost), moneyCell(r.End)})
	}
	return section{ID: "rep-changes", Title: "Changes by rep", Table: t}, nil
}
