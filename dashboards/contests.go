package dashboards

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Contests: a manager (for their teams) or an admin defines a contest, the store keeps every
// version, and the leaderboard is computed on each request from the data known then. Who sees
// what is decided here (seesContest, canEdit) and in boardFor (contest_board.go).

// contestRoutes lists the contest pages and endpoints with their methods. Their answers are
// never cached: they show what users have just written.
func (s *Server) contestRoutes() []methodRoute {
	page := func(name string) route { return route{name: name, access: accessFirm} }
	api := func(name string) route { return route{name: name, access: accessFirm, api: true} }
	return []methodRoute{
		{http.MethodGet, "/contests", page("contests"), s.contestsPage},
		{http.MethodGet, "/contests/{id}", page("contest"), s.contestPage},
		{http.MethodPost, "/contests", page("contest-form"), s.contestFormPost},
		{http.MethodGet, "/api/v1/contests", api("api-contests"), s.contestsAPI},
		{http.MethodGet, "/api/v1/contests/{id}", api("api-contest"), s.contestAPI},
		{http.MethodPost, "/api/v1/contests", api("api-contest-save"), s.contestSaveAPI},
	}
}

// contestRecord is a contest's latest version and every version before it, oldest first.
type contestRecord struct {
	salesrecipe.Contest
	versions []salesrecipe.Contest
}

// created returns the first version: who created the contest and when.
func (c contestRecord) created() salesrecipe.Contest { return c.versions[0] }

// contestRecords groups stored versions (ordered by id, then time) by contest.
func contestRecords(versions []salesrecipe.Contest) []contestRecord {
	var out []contestRecord
	for i, v := range versions {
		if i == 0 || v.ID != versions[i-1].ID {
			out = append(out, contestRecord{})
		}
		last := &out[len(out)-1]
		last.Contest, last.versions = v, append(last.versions, v)
	}
	return out
}

// viewerTeam returns the team of the rep the viewer is ("" for other roles or an unknown rep).
func (s *Server) viewerTeam(ctx context.Context, who *viewer) (string, error) {
	if who.user.Role != RoleRep {
		return "", nil
	}
	reps, err := s.reps(ctx, who.user.Firm)
	if err != nil {
		return "", err
	}
	for _, r := range reps {
		if r.ID == who.user.RepID {
			return r.Team, nil
		}
	}
	return "", nil
}

// seesContest reports whether the viewer sees a contest: admins every contest of their firm,
// managers those with one of their teams, reps those shown to reps that include their team.
func seesContest(who *viewer, c salesrecipe.Contest, repTeam string) bool {
	switch who.user.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return slices.ContainsFunc(c.Teams, who.user.ManagesTeam)
	case RoleRep:
		return c.RepsSee && repTeam != "" && c.HasTeam(repTeam)
	}
	return false
}

// canEdit reports whether the viewer may change a contest: an admin, or a manager of every one of its teams.
func canEdit(who *viewer, c salesrecipe.Contest) bool {
	switch who.user.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		for _, t := range c.Teams {
			if !who.user.ManagesTeam(t) {
				return false
			}
		}
		return true
	}
	return false
}

// visibleContests returns the contests of the viewer's firm they see, newest first.
func (s *Server) visibleContests(ctx context.Context, who *viewer) ([]contestRecord, error) {
	return s.contestsWhere(ctx, who, "")
}

// visibleContest returns one contest the viewer sees; errNotFound when there is none.
func (s *Server) visibleContest(ctx context.Context, who *viewer, id string) (contestRecord, error) {
	if id == "" {
		return contestRecord{}, errNotFound
	}
	cs, err := s.contestsWhere(ctx, who, id)
	if err != nil {
		return contestRecord{}, err
	}
	if len(cs) == 0 {
		return contestRecord{}, errNotFound
	}
	return cs[0], nil
}

// contestsWhere reads the firm's contests (one when id is set) and keeps those the viewer sees.
func (s *Server) contestsWhere(ctx context.Context, who *viewer, id string) ([]contestRecord, error) {
	versions, err := s.cfg.Store.ContestVersions(ctx, who.user.Firm, id)
	if err != nil {
		return nil, err
	}
	team, err := s.viewerTeam(ctx, who)
	if err != nil {
		return nil, err
	}
	var out []contestRecord
	for _, c := range contestRecords(versions) {
		if seesContest(who, c.Contest, team) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b contestRecord) int { return b.From.Compare(a.From) })
	return out, nil
}

// contestInput is a contest as the API and the form send it.
type contestInput struct {
	// ID names the contest to change; empty creates a new one.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Period is a month (2026-03) or a quarter (2026-Q2); otherwise From and To are days (YYYY-MM-DD, inclusive).
	Period  string   `json:"period"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Metric  string   `json:"metric"`
	Teams   []string `json:"teams"`
	RepsSee bool     `json:"reps_see"`
}

// contest returns the input as a contest, or a ValidationError naming each bad field.
func (in contestInput) contest(firm string) (salesrecipe.Contest, error) {
	c := salesrecipe.Contest{ID: strings.TrimSpace(in.ID), Firm: firm, Name: strings.TrimSpace(in.Name), Metric: salesrecipe.ContestMetric(in.Metric),
		Teams: in.Teams, RepsSee: in.RepsSee}
	var bad []salesrecipe.FieldError
	switch {
	case in.Period != "" && (in.From != "" || in.To != ""):
		bad = append(bad, salesrecipe.FieldError{Field: "period", Value: in.Period, Reason: "give either a period or from and to, not both"})
	case in.Period != "":
		p, err := salesrecipe.ParsePeriod(in.Period)
		switch {
		case err != nil:
			bad = append(bad, salesrecipe.FieldError{Field: "period", Value: in.Period, Reason: "want a month (2026-03) or a quarter (2026-Q2)"})
		case p.Grain == salesrecipe.GrainWeek:
			bad = append(bad, salesrecipe.FieldError{Field: "period", Value: in.Period, Reason: "a week is not a contest period; give from and to days instead"})
		default:
			c.Period, c.From, c.To = p.String(), p.Start, p.End().AddDate(0, 0, -1)
		}
	default:
		c.From, bad = parseDay("from", in.From, bad)
		c.To, bad = parseDay("to", in.To, bad)
	}
	if len(bad) > 0 {
		return c, &salesrecipe.ValidationError{Fields: bad}
	}
	return c, nil
}

// parseDay reads an optional YYYY-MM-DD field, adding a problem when it is not one.
func parseDay(field, s string, bad []salesrecipe.FieldError) (time.Time, []salesrecipe.FieldError) {
	if s == "" {
		return time.Time{}, bad
	}
	d, err := time.Parse(time.DateOnly, s)
	if err == nil {
		err = inRange(field, s, d)
	}
	if err != nil {
		return time.Time{}, append(bad, salesrecipe.FieldError{Field: field, Value: s, Reason: fmt.Sprintf("want a day YYYY-MM-DD between %d and %d", minYear, maxYear)})
	}
	return d, bad
}

// joinProblems returns the problems of reading the input, then those of the contest's rules
// on fields the reading found no problem with; nil when there are none.
func joinProblems(read, rules error) error {
	var a, b *salesrecipe.ValidationError
	errors.As(read, &a)
	errors.As(rules, &b)
	out := slices.Clone(fieldsOf(a))
	for _, f := range fieldsOf(b) {
		if !slices.ContainsFunc(fieldsOf(a), func(g salesrecipe.FieldError) bool { return g.Field == f.Field }) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &salesrecipe.ValidationError{Fields: out}
}

// fieldsOf returns a validation error's fields, none for nil.
func fieldsOf(e *salesrecipe.ValidationError) []salesrecipe.FieldError {
	if e == nil {
		return nil
	}
	return e.Fields
}

// badRequest turns a validation error into the 400 answer naming each field.
func badRequest(err error) error {
	var ve *salesrecipe.ValidationError
	if errors.As(err, &ve) {
		return &httpError{code: http.StatusBadRequest, msg: ve.Error()}
	}
	return err
}

// contestWriter refuses a contest change to anyone but a manager or an admin, and to a browser
// that could be driven by another site (see browserWrite).
func (s *Server) contestWriter(req *request) error {
	if r := req.who.user.Role; r != RoleAdmin && r != RoleManager {
		return &httpError{code: http.StatusForbidden, msg: fmt.Sprintf("only a manager or an admin may define contests; you are %s", r)}
	}
	return browserWrite(s, req.who, req.Request)
}

// saveContest checks a contest the viewer sends and stores it as a new version; it reports
// whether the contest is new.
func (s *Server) saveContest(ctx context.Context, req *request, in contestInput) (contestRecord, bool, error) {
	c, perr := in.contest(req.firm)
	isNew := c.ID == ""
	if isNew {
		c.ID = newContestID()
	}
	if err := joinProblems(perr, c.Validate()); err != nil {
		return contestRecord{}, false, badRequest(err)
	}
	if err := s.checkTeams(ctx, req.who, c.Teams); err != nil {
		return contestRecord{}, false, err
	}
	var before []salesrecipe.Contest
	if !isNew {
		old, err := s.cfg.Store.ContestVersions(ctx, req.firm, c.ID)
		if err != nil {
			return contestRecord{}, false, err
		}
		if err := s.mayReplace(ctx, req.who, old); err != nil {
			return contestRecord{}, false, err
		}
		before, isNew = old, len(old) == 0
	}
	c.SavedAt, c.SavedBy = s.cfg.Now().UTC().Truncate(time.Millisecond), req.who.user.Name
	if n := len(before); n > 0 && !c.SavedAt.After(before[n-1].SavedAt) {
		// Versions are told apart by their time: a change within the same millisecond comes after.
		c.SavedAt = before[n-1].SavedAt.Add(time.Millisecond)
	}
	if err := s.cfg.Store.SaveContest(ctx, c); err != nil {
		return contestRecord{}, false, err
	}
	s.log.Info("contest saved", "firm", c.Firm, "contest", c.ID, "by", c.SavedBy, "new", isNew)
	return contestRecord{Contest: c, versions: append(before, c)}, isNew, nil
}

// mayReplace refuses to change a stored contest the viewer does not see (404) or may not edit (403).
func (s *Server) mayReplace(ctx context.Context, who *viewer, old []salesrecipe.Contest) error {
	if len(old) == 0 {
		return nil
	}
	cur := old[len(old)-1]
	team, err := s.viewerTeam(ctx, who)
	if err != nil {
		return err
	}
	if !seesContest(who, cur, team) {
		return errNotFound
	}
	if !canEdit(who, cur) {
		return &httpError{code: http.StatusForbidden, msg: "only an admin or a manager of all its teams (" + strings.Join(cur.Teams, ", ") + ") may change this contest"}
	}
	return nil
}

// checkTeams refuses a team the viewer does not manage (403) and one no rep of the firm is in (400).
func (s *Server) checkTeams(ctx context.Context, who *viewer, teams []string) error {
	for _, t := range teams {
		if !who.user.ManagesTeam(t) {
			return &httpError{code: http.StatusForbidden, msg: fmt.Sprintf("teams: value %q: not a team you manage (you manage %s)", t, strings.Join(who.user.Teams, ", "))}
		}
	}
	known, err := s.firmTeams(ctx, who.user.Firm)
	if err != nil {
		return err
	}
	for _, t := range teams {
		if !slices.Contains(known, t) {
			return &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("teams: value %q: no rep of the firm is in this team", t)}
		}
	}
	return nil
}

// firmTeams returns the teams of a firm's reps, sorted.
func (s *Server) firmTeams(ctx context.Context, firm string) ([]string, error) {
	reps, err := s.reps(ctx, firm)
	if err != nil {
		return nil, err
	}
	var teams []string
	for _, r := range reps {
		if r.Team != "" && !slices.Contains(teams, r.Team) {
			teams = append(teams, r.Team)
		}
	}
	slices.Sort(teams)
	return teams, nil
}

// newContestID returns a random id for a new contest.
func newContestID() string {
	b := make([]byte, 5)
	rand.Read(b) // crypto/rand.Read never fails
	return "c-" + hex.EncodeToString(b)
}

// contestsAPI lists the contests the caller sees.
func (s *Server) contestsAPI(w http.ResponseWriter, req *request) error {
	cs, err := s.visibleContests(req.Context(), req.who)
	if err != nil {
		return err
	}
	out := make([]contestView, 0, len(cs))
	for _, c := range cs {
		out = append(out, viewOfContest(req.who, c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"contests": out})
	return nil
}

// contestAPI is one contest's leaderboard as the caller may see it.
func (s *Server) contestAPI(w http.ResponseWriter, req *request) error {
	b, err := s.boardOf(req.Context(), req, req.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// contestSaveAPI creates (201, Location) or changes (200) a contest sent as JSON.
func (s *Server) contestSaveAPI(w http.ResponseWriter, req *request) error {
	if err := s.contestWriter(req); err != nil {
		return err
	}
	in, err := decodeContest(http.MaxBytesReader(w, req.Body, 16<<10))
	if err != nil {
		return err
	}
	c, isNew, err := s.saveContest(req.Context(), req, in)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if isNew {
		code = http.StatusCreated
		w.Header().Set("Location", "/api/v1/contests/"+c.ID)
	}
	writeJSON(w, code, viewOfContest(req.who, c))
	return nil
}

// decodeContest reads one JSON contest; a 400 names the field that could not be read.
func decodeContest(r io.Reader) (contestInput, error) {
	var in contestInput
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return in, nil
	case errors.As(err, &te):
		return in, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("%s: want a %s", te.Field, te.Type)}
	case errors.Is(err, io.EOF):
		return in, &httpError{code: http.StatusBadRequest, msg: `body: want a JSON contest such as {"name": "March blitz", "period": "2026-03", "metric": "recipe_points", "teams": ["East"], "reps_see": true}`}
	}
	return in, &httpError{code: http.StatusBadRequest, msg: "body: " + err.Error()}
}
