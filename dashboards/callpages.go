package dashboards

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
)

// callForm is the form that submits a call: for one rep (RepID set) or for one of Teams; the
// layout adds the session's CSRF token to it (form="ID").
type callForm struct {
	ID     string
	Period string
	RepID  string
	Teams  []string
	// Commit and BestCase are pre-filled with the latest call.
	Commit, BestCase string
	Button           string
}

// newCallForm returns a form for the period pre-filled with the latest call, when there is one.
func newCallForm(period salesrecipe.Period, latest *CallEntry) *callForm {
	f := &callForm{ID: "call-form", Period: period.String(), Button: "Submit call"}
	if latest != nil {
		f.Commit, f.BestCase = amountText(latest.Commit), amountText(latest.BestCase)
	}
	return f
}

// amountText renders an amount for a number input.
func amountText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// historyTable lists a rep's or team's submissions, newest first.
func historyTable(id string, history []CallEntry) *table {
	t := &table{ID: id, Columns: []column{{Label: "Submitted"}, {Label: "By"}, {Label: "Commit", Num: true}, {Label: "Best case", Num: true}, {Label: "Note"}}}
	for _, c := range history {
		at := asOfLabel(c.SubmittedAt)
		t.Rows = append(t.Rows, []cell{{Text: at, Raw: c.SubmittedAt.Format(time.RFC3339Nano), Sort: c.SubmittedAt.Format(time.RFC3339Nano)},
			textCell(c.SubmittedBy), moneyCell(c.Commit), moneyCell(c.BestCase), textCell(c.Note)})
	}
	return t
}

// repCallSection is the rep page's "my call": the form and every submission of the period.
func (s *Server) repCallSection(ctx context.Context, req *request, d *RepDetail) (section, error) {
	byKey, err := s.periodCalls(ctx, req)
	if err != nil {
		return section{}, err
	}
	row := CallRow{Level: "rep", RepID: d.RepID, Team: d.Team}
	if d.Forecast != nil {
		fillCallRow(&row, byKey[callKey{rep: d.RepID}], &d.Forecast.Money)
	} else {
		fillCallRow(&row, byKey[callKey{rep: d.RepID}], nil)
	}
	title := "Call for " + req.q.period.String()
	if req.who.user.RepID == d.RepID {
		title = "My call for " + req.q.period.String()
	}
	sec := section{ID: "calls", Title: title, Table: historyTable("call-history", row.History), CallForm: newCallForm(req.q.period, row.Latest)}
	sec.CallForm.RepID = d.RepID
	sec.Note = "Commit: what you are sure to win this period; best case: the most you expect. Every submission is kept; the latest counts. " + callVerdict(row)
	return sec, nil
}

// callVerdict compares a row's latest commit with the model's forecast in a sentence.
func callVerdict(row CallRow) string {
	switch {
	case row.Latest == nil:
		return "No call submitted for this period yet."
	case row.Model == nil:
		return "The model has no forecast to compare it with."
	}
	m := row.Model
	text := "The model forecasts " + formatMoney(m.Forecast) + " (80%: " + formatMoney(m.Low) + " – " + formatMoney(m.High) + "); the commit differs by " + signedMoney(*row.CommitMinusForecast) + "."
	switch {
	case row.Latest.Commit < m.Low:
		text += " The commit is below the model's 80% interval."
	case row.Latest.Commit > m.High:
		text += " The commit is above the model's 80% interval."
	}
	return text
}

// teamCallsSection is the Team page's calls: per team and per rep, the call beside the model's
// forecast and interval, the difference, and a flag where the call lies outside the interval;
// with a form for a team call when the viewer manages a team.
func (s *Server) teamCallsSection(ctx context.Context, req *request) (section, error) {
	calls, err := s.callsOf(ctx, req, true)
	if err != nil {
		return section{}, err
	}
	t := &table{ID: "calls", Columns: []column{{Label: "Call of"}, {Label: "Team"}, {Label: "Commit", Num: true}, {Label: "Best case", Num: true},
		{Label: "Model forecast", Num: true}, {Label: "80% low", Num: true}, {Label: "80% high", Num: true}, {Label: "Commit − forecast", Num: true},
		{Label: "Against the model"}, {Label: "Submitted"}, {Label: "By"}, {Label: "Note"}}}
	var teams []string
	for _, r := range calls.Calls {
		who := linkCell(r.Name, "/reps/"+r.RepID)
		if r.Level == "team" {
			who = textCell("Team " + r.Team)
			teams = append(teams, r.Team)
		}
		t.Rows = append(t.Rows, callCells(who, r))
	}
	sec := section{ID: "calls", Title: "Calls for " + req.q.period.String(), Table: t,
		Note: "People's calls beside the model: commit and best case as last submitted, the model's forecast with its 80% interval, and where the commit lies outside that interval. Team rows are the manager's call for the team."}
	if len(teams) > 0 {
		sec.CallForm = newCallForm(req.q.period, nil)
		sec.CallForm.Teams, sec.CallForm.Button = teams, "Submit team call"
	}
	return sec, nil
}

// callCells are one row of the calls table.
func callCells(who cell, r CallRow) []cell {
	row := []cell{who, textCell(r.Team)}
	if r.Latest == nil {
		row = append(row, textCell("no call"), textCell("—"))
	} else {
		row = append(row, moneyCell(r.Latest.Commit), moneyCell(r.Latest.BestCase))
	}
	if r.Model == nil {
		row = append(row, textCell("—"), textCell("—"), textCell("—"))
	} else {
		row = append(row, moneyCell(r.Model.Forecast), moneyCell(r.Model.Low), moneyCell(r.Model.High))
	}
	row = append(row, optMoneyCell(r.CommitMinusForecast), textCell(callFlag(r)))
	if r.Latest == nil {
		return append(row, textCell("—"), textCell(""), textCell(""))
	}
	return append(row, textCell(asOfLabel(r.Latest.SubmittedAt)), textCell(r.Latest.SubmittedBy), textCell(r.Latest.Note))
}

// callFlag says where a call lies against the model's 80% interval.
func callFlag(r CallRow) string {
	switch {
	case r.Latest == nil || r.Model == nil:
		return "—"
	case r.Latest.Commit < r.Model.Low:
		return "⚑ below the 80% interval"
	case r.Latest.Commit > r.Model.High:
		return "⚑ above the 80% interval"
	}
	return "inside"
}

// callWindow is how far back the review page lists changed calls.
const callWindow = 7 * 24 * time.Hour

// callChangesSection is the review page's list of the calls submitted in the last seven days,
// each with the change from the call it replaced.
func (s *Server) callChangesSection(ctx context.Context, req *request) (section, error) {
	calls, err := s.callsOf(ctx, req, false)
	if err != nil {
		return section{}, err
	}
	since := req.q.asOf.Add(-callWindow)
	t := &table{ID: "call-changes", Columns: []column{{Label: "Call of"}, {Label: "Submitted"}, {Label: "By"}, {Label: "Commit", Num: true},
		{Label: "Change", Num: true}, {Label: "Best case", Num: true}, {Label: "Model forecast", Num: true}, {Label: "Note"}}}
	for _, r := range calls.Calls {
		name := r.Name
		if r.Level == "team" {
			name = "Team " + r.Team
		}
		for i, c := range r.History {
			if !c.SubmittedAt.After(since) {
				break
			}
			change := textCell("new")
			if i+1 < len(r.History) {
				change = moneyCell(c.Commit - r.History[i+1].Commit)
				change.Text = signedMoney(c.Commit - r.History[i+1].Commit)
			}
			fc := textCell("—")
			if r.Model != nil {
				fc = moneyCell(r.Model.Forecast)
			}
			t.Rows = append(t.Rows, []cell{textCell(name), textCell(asOfLabel(c.SubmittedAt)), textCell(c.SubmittedBy), moneyCell(c.Commit),
				change, moneyCell(c.BestCase), fc, textCell(c.Note)})
		}
	}
	note := "Calls for " + req.q.period.String() + " submitted since " + asOfLabel(since) + ", newest first per rep or team."
	if len(t.Rows) == 0 {
		note = "No call for " + req.q.period.String() + " changed since " + asOfLabel(since) + "."
	}
	return section{ID: "call-changes", Title: "Calls changed in the last 7 days", Note: note, Table: t}, nil
}

// scoreCalls adds to a viewer's backtest the scores of people's calls for its periods known at its
// horizon, over the points the viewer sees.
func (s *Server) scoreCalls(ctx context.Context, req *request, bt *forecast.Backtest) error {
	br := s.backtestRequest(req.firm, req.q)
	calls, err := s.cfg.Store.Calls(ctx, req.firm, br.From.Start, br.To.Start, s.backtestHorizon(req.q))
	if err != nil {
		return err
	}
	bt.Calls = forecast.ScoreCalls(bt, req.q.period.Grain, calls)
	return nil
}

// tendencyBias is the bias beyond which a caller is called a sandbagger or happy ears.
const tendencyBias = 0.1

// callScoresSection is the accuracy page's table of people's calls beside the model.
func (s *Server) callScoresSection(ctx context.Context, req *request, bt *forecast.Backtest) (section, error) {
	reps, err := s.reps(ctx, req.firm)
	if err != nil {
		return section{}, err
	}
	names := map[string]string{}
	for _, r := range reps {
		names[r.ID] = r.Name
	}
	t := &table{ID: "call-scores", Columns: []column{{Label: "Method"}, {Label: "Call of"}, {Label: "Team"}, {Label: "Moments", Num: true},
		{Label: "Call WAPE", Num: true}, {Label: "Call bias", Num: true}, {Label: "Model WAPE", Num: true}, {Label: "Model bias", Num: true}, {Label: "Tendency"}}}
	for _, c := range bt.Calls {
		who := textCell(names[c.RepID])
		switch {
		case c.All:
			who = textCell("all in view")
		case c.RepID == "":
			who = textCell("Team " + c.Team)
		}
		t.Rows = append(t.Rows, []cell{textCell(c.Method), who, textCell(c.Team), numCell(float64(c.Forecasts), 0), pctCell(ptr(c.WAPE)),
			pctCell(ptr(c.Bias)), pctCell(ptr(c.ModelWAPE)), pctCell(ptr(c.ModelBias)), textCell(tendency(c.Bias))})
	}
	note := "People's calls scored like a method: at each backtested moment, the latest commit submitted by then (never one made later) against what was won, " +
		"beside the model's forecast at the same moments. rep_commit is a rep's own call, manager_commit a manager's team call. " +
		fmt.Sprintf("A bias below −%.0f%% is a sandbagger, above +%.0f%% happy ears.", 100*tendencyBias, 100*tendencyBias)
	if len(bt.Calls) == 0 {
		note = "No forecast call in view was submitted for the backtested periods before their moments; once people submit calls (rep page, Team page, PUT /api/v1/calls), they are scored here beside the model."
	}
	return section{ID: "call-scores", Title: "People's calls vs the model", Note: note, Table: t}, nil
}

// tendency names a caller's bias.
func tendency(bias float64) string {
	switch {
	case bias < -tendencyBias:
		return "under-calls (sandbagger)"
	case bias > tendencyBias:
		return "over-calls (happy ears)"
	}
	return "balanced"
}
