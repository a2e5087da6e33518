package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
)

// This file is people's forecast calls: a rep's own call and a manager's team call for a period,
// submitted through PUT /api/v1/calls or the pages' form (POST /calls), read through
// GET /api/v1/calls and shown beside the model's forecast on the rep, team and review pages.

// callRoutes lists the forecast calls' API and form routes. Every call is a row kept for good:
// submissions count against the user's rate of expensive requests.
func (s *Server) callRoutes() []methodRoute {
	read := route{name: "api-calls", access: accessFirm, api: true}
	return []methodRoute{
		{http.MethodGet, "/api/v1/calls", read, s.serveAPI(apiRoute{"/api/v1/calls", read, s.callsAPI})},
		{http.MethodPut, "/api/v1/calls", route{name: "api-put-call", access: accessFirm, api: true, expensive: true}, s.putCallAPI},
		{http.MethodPost, "/calls", route{name: "call-form", access: accessFirm, expensive: true}, s.postCallForm},
	}
}

// CallEntry is one submission as the calls API shows it.
type CallEntry struct {
	Commit      float64   `json:"commit"`
	BestCase    float64   `json:"best_case"`
	Note        string    `json:"note"`
	SubmittedBy string    `json:"submitted_by"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// ModelBeside is the model's forecast of the same rep or team, with its 80% interval.
type ModelBeside struct {
	Forecast float64 `json:"forecast"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// CallRow is one rep's or team's call for the period: the latest submission, every submission
// (newest first), and the model's forecast beside it.
type CallRow struct {
	// Level is "rep" for a rep's own call, "team" for a manager's team call.
	Level string `json:"level"`
	RepID string `json:"rep_id,omitempty"`
	Name  string `json:"name,omitempty"`
	Team  string `json:"team"`
	// Latest is the call that counts; null when none was submitted.
	Latest  *CallEntry  `json:"latest"`
	History []CallEntry `json:"history"`
	// Model is the forecast's row for the rep or team; null when the forecast has none.
	Model *ModelBeside `json:"model"`
	// CommitMinusForecast is the latest commit less the model's forecast; null without both.
	CommitMinusForecast *float64 `json:"commit_minus_forecast"`
	// OutsideInterval is set when the latest commit lies outside the model's 80% interval.
	OutsideInterval bool `json:"outside_interval"`
}

// Calls is the answer of GET /api/v1/calls: the calls of the period the caller may see.
type Calls struct {
	Firm   string    `json:"firm"`
	Period string    `json:"period"`
	AsOf   time.Time `json:"as_of"`
	Calls  []CallRow `json:"calls"`
}

// callKey names the rep or team a call is for.
type callKey struct{ rep, team string }

// keyOf returns the call's key: the rep for a rep's call, the team for a team call.
func keyOf(c salesrecipe.Call) callKey {
	if c.TeamCall() {
		return callKey{team: c.Team}
	}
	return callKey{rep: c.RepID}
}

// periodCalls reads the calls of the selection's period known at its as-of time (for "now", up to
// this instant: the as-of time is rounded down, a call just sent must show), grouped by rep or team.
func (s *Server) periodCalls(ctx context.Context, req *request) (map[callKey][]salesrecipe.Call, error) {
	asOf := req.q.asOf
	if req.q.now {
		asOf = s.cfg.Now().UTC()
	}
	all, err := s.cfg.Store.Calls(ctx, req.firm, req.q.period.Start, req.q.period.Start, asOf)
	if err != nil {
		return nil, err
	}
	out := map[callKey][]salesrecipe.Call{}
	for _, c := range all {
		if c.Period == req.q.period {
			out[keyOf(c)] = append(out[keyOf(c)], c)
		}
	}
	return out, nil
}

// callsOf builds the rows of every rep and team the viewer sees, beside the model's forecast;
// withEmpty keeps those without a call (the team page shows who has not called).
func (s *Server) callsOf(ctx context.Context, req *request, withEmpty bool) (*Calls, error) {
	fc, err := s.firmForecast(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	v := viewOf(fc, req.who)
	byKey, err := s.periodCalls(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &Calls{Firm: req.firm, Period: req.q.period.String(), AsOf: req.q.asOf, Calls: []CallRow{}}
	add := func(row CallRow, k callKey, m *forecast.Money) {
		fillCallRow(&row, byKey[k], m)
		if withEmpty || row.Latest != nil {
			out.Calls = append(out.Calls, row)
		}
	}
	for _, t := range v.Teams {
		add(CallRow{Level: "team", Team: t.Team}, callKey{team: t.Team}, &t.Money)
	}
	listed := map[string]bool{}
	for _, r := range v.Reps {
		listed[r.RepID] = true
		add(CallRow{Level: "rep", RepID: r.RepID, Name: r.Name, Team: r.Team}, callKey{rep: r.RepID}, &r.Money)
	}
	// Reps the forecast has no row for (no history yet) still see their calls.
	reps, err := s.reps(ctx, req.firm)
	if err != nil {
		return nil, err
	}
	for _, r := range reps {
		if !listed[r.ID] && req.who.seesRep(r.ID, r.Team) && len(byKey[callKey{rep: r.ID}]) > 0 {
			add(CallRow{Level: "rep", RepID: r.ID, Name: r.Name, Team: r.Team}, callKey{rep: r.ID}, nil)
		}
	}
	return out, nil
}

// fillCallRow sets a row's history (newest first), latest call and the model's numbers beside it.
func fillCallRow(row *CallRow, calls []salesrecipe.Call, m *forecast.Money) {
	row.History = []CallEntry{}
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		row.History = append(row.History, CallEntry{Commit: c.Commit, BestCase: c.BestCase, Note: c.Note, SubmittedBy: c.SubmittedBy, SubmittedAt: c.SubmittedAt})
	}
	if len(row.History) > 0 {
		row.Latest = &row.History[0]
	}
	if m == nil {
		return
	}
	row.Model = &ModelBeside{Forecast: m.Forecast, Low: m.Low, High: m.High}
	if row.Latest != nil {
		row.CommitMinusForecast = ptr(round2(row.Latest.Commit - m.Forecast))
		row.OutsideInterval = row.Latest.Commit < m.Low || row.Latest.Commit > m.High
	}
}

// callsAPI answers GET /api/v1/calls.
func (s *Server) callsAPI(ctx context.Context, req *request) (any, error) {
	return s.callsOf(ctx, req, false)
}

// callInput is the body of PUT /api/v1/calls and the fields of the call form.
type callInput struct {
	Period   string   `json:"period"`
	RepID    string   `json:"rep_id"`
	Team     string   `json:"team"`
	Commit   *float64 `json:"commit"`
	BestCase *float64 `json:"best_case"`
	Note     string   `json:"note"`
}

// maxCallBody bounds a call's request body: the fields and a note of MaxCallNote characters.
const maxCallBody = 16 << 10

// putCallAPI stores a call sent as JSON and answers 201 with the stored submission.
func (s *Server) putCallAPI(w http.ResponseWriter, req *request) error {
	if err := s.mayWrite(req, ""); err != nil {
		return err
	}
	var in callInput
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxCallBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badCall(salesrecipe.FieldError{Field: "body", Reason: "want a JSON object with period, rep_id or team, commit, best_case and note: " + jsonProblem(err)})
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return badCall(salesrecipe.FieldError{Field: "body", Reason: "one JSON object only"})
	}
	c, err := s.submitCall(req, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"period": c.Period.String(), "rep_id": c.RepID, "team": c.Team,
		"call": CallEntry{Commit: c.Commit, BestCase: c.BestCase, Note: c.Note, SubmittedBy: c.SubmittedBy, SubmittedAt: c.SubmittedAt}})
	return nil
}

// postCallForm stores a call sent by the pages' form and sends the browser back to the page.
func (s *Server) postCallForm(w http.ResponseWriter, req *request) error {
	req.Body = http.MaxBytesReader(w, req.Body, maxCallBody)
	if err := req.ParseForm(); err != nil {
		return badCall(salesrecipe.FieldError{Field: "form", Reason: "unreadable form: " + jsonProblem(err)})
	}
	if err := s.mayWrite(req, req.PostForm.Get("csrf")); err != nil {
		return err
	}
	f := req.PostForm
	in := callInput{Period: f.Get("period"), RepID: f.Get("rep_id"), Team: f.Get("team"), Note: f.Get("note")}
	var bad []salesrecipe.FieldError
	for _, a := range []struct {
		name string
		to   **float64
	}{{"commit", &in.Commit}, {"best_case", &in.BestCase}} {
		text := strings.ReplaceAll(strings.TrimSpace(f.Get(a.name)), ",", "")
		if text == "" {
			continue
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			bad = append(bad, salesrecipe.FieldError{Field: a.name, Value: f.Get(a.name), Reason: "not a number"})
			continue
		}
		*a.to = &v
	}
	if len(bad) > 0 {
		return badCall(bad...)
	}
	c, err := s.submitCall(req, in)
	if err != nil {
		return err
	}
	target := "/team"
	if c.RepID != "" {
		target = "/reps/" + url.PathEscape(c.RepID)
	}
	http.Redirect(w, req.Request, target+"?"+url.Values{"period": {c.Period.String()}}.Encode()+"#calls", http.StatusSeeOther)
	return nil
}

// badCall is the 400 answer naming each field and what is wrong with it.
func badCall(fields ...salesrecipe.FieldError) error {
	return &httpError{code: http.StatusBadRequest, msg: (&salesrecipe.ValidationError{Fields: fields}).Error()}
}

// submitCall checks a call (its period and amounts, and that the viewer may call for the rep or
// team: another's rep or team is 404, as for reads), stores it and returns it.
func (s *Server) submitCall(req *request, in callInput) (salesrecipe.Call, error) {
	c := salesrecipe.Call{RepID: strings.TrimSpace(in.RepID), Team: strings.TrimSpace(in.Team), Note: strings.TrimSpace(in.Note),
		SubmittedBy: req.who.user.Name, SubmittedAt: s.cfg.Now().UTC().Truncate(time.Microsecond)} // as stored
	var bad []salesrecipe.FieldError
	switch p, err := salesrecipe.ParsePeriod(in.Period); {
	case in.Period == "":
		bad = append(bad, salesrecipe.FieldError{Field: "period", Reason: "required: a month (2026-12), quarter (2026-Q4) or ISO week (2026-W48)"})
	case err != nil:
		bad = append(bad, salesrecipe.FieldError{Field: "period", Value: in.Period, Reason: "want a month (2026-12), quarter (2026-Q4) or ISO week (2026-W48)"})
	case inRange("period", in.Period, p.Start) != nil:
		bad = append(bad, salesrecipe.FieldError{Field: "period", Value: in.Period, Reason: fmt.Sprintf("outside %d to %d", minYear, maxYear)})
	default:
		c.Period = p
	}
	for _, a := range []struct {
		name string
		v    *float64
		to   *float64
	}{{"commit", in.Commit, &c.Commit}, {"best_case", in.BestCase, &c.BestCase}} {
		if a.v == nil {
			bad = append(bad, salesrecipe.FieldError{Field: a.name, Reason: "required"})
			continue
		}
		*a.to = *a.v
	}
	if c.RepID != "" && c.Team != "" {
		bad = append(bad, salesrecipe.FieldError{Field: "team", Value: c.Team, Reason: "give rep_id for a rep's call or team for a team call, not both"})
	}
	if len(bad) > 0 {
		return c, badCall(bad...)
	}
	if err := s.callTarget(req, &c); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		var ve *salesrecipe.ValidationError
		if errors.As(err, &ve) {
			return c, badCall(ve.Fields...)
		}
		return c, err
	}
	if err := s.cfg.Store.SaveCall(req.Context(), req.firm, c); err != nil {
		return c, err
	}
	s.edits.bump(req.firm)
	s.log.Info("forecast call", "firm", req.firm, "period", c.Period.String(), "rep", c.RepID, "team", c.Team, "by", c.SubmittedBy)
	return c, nil
}

// callTarget checks that the viewer may call for the call's rep or team and sets a rep's call's
// team. A rep or team the viewer does not see is 404 as for reads; an admin, who sees the whole
// firm, is told which rep or team is unknown.
func (s *Server) callTarget(req *request, c *salesrecipe.Call) error {
	reps, err := s.reps(req.Context(), req.firm)
	if err != nil {
		return err
	}
	if c.RepID != "" {
		rep, ok, err := s.visibleRep(req.Context(), req.who, c.RepID)
		switch {
		case err != nil:
			return err
		case ok:
			c.Team = rep.Team
			return nil
		case req.who.seesFirm():
			return badCall(salesrecipe.FieldError{Field: "rep_id", Value: c.RepID, Reason: "no such rep in " + req.firm})
		}
		return errNotFound
	}
	if c.Team == "" {
		return badCall(salesrecipe.FieldError{Field: "rep_id", Reason: "a call names a rep (rep_id) or a team (team)"})
	}
	known := slices.ContainsFunc(reps, func(r salesrecipe.Rep) bool { return r.Team == c.Team })
	switch {
	case known && req.who.seesTeam(c.Team):
		return nil
	case req.who.seesFirm() && req.who.user.Role != RoleRep:
		return badCall(salesrecipe.FieldError{Field: "team", Value: c.Team, Reason: "no rep of " + req.firm + " is in this team"})
	}
	return errNotFound
}
