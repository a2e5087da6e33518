package dashboards

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// contestForm fills the template of the form that creates or changes a contest.
type contestForm struct {
	Title, Submit, Error, CSRF string
	ID, Name, Period, From, To string
	RepsSee                    bool
	Metrics, Teams             []option
	// Note replaces the form's button when the viewer cannot send it from this browser.
	Note string
}

// option is one choice of a select or a group of checkboxes.
type option struct {
	Value, Label string
	Selected     bool
}

// metricLabels name the metrics on pages.
var metricLabels = map[salesrecipe.ContestMetric]string{
	salesrecipe.MetricRecipePoints: "Recipe points",
	salesrecipe.MetricNewPipeline:  "New pipeline",
	salesrecipe.MetricAttainment:   "Attainment",
}

// contestsPage lists the contests the viewer sees, with a form for a new one for managers and admins.
func (s *Server) contestsPage(w http.ResponseWriter, req *request) error {
	return s.contestsPageWith(w, req, http.StatusOK, contestInput{Metric: string(salesrecipe.MetricRecipePoints), RepsSee: true}, "")
}

// contestsPageWith writes the contests page with the form filled with in, and a problem to show.
func (s *Server) contestsPageWith(w http.ResponseWriter, req *request, code int, in contestInput, problem string) error {
	cs, err := s.visibleContests(req.Context(), req.who)
	if err != nil {
		return err
	}
	pg := &page{Title: "Contests", Subtitle: "Contests of " + scopeLabel(req.who) + "; points as of " + asOfLabel(req.q.asOf)}
	if len(cs) == 0 {
		pg.Notes = append(pg.Notes, noContestsNote(req.who))
	}
	t := &table{ID: "contests", Columns: []column{{Label: "Contest"}, {Label: "Days"}, {Label: "Metric"}, {Label: "Teams"},
		{Label: "Reps see it"}, {Label: "Changed"}}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []cell{linkCell(c.Name, "/contests/"+url.PathEscape(c.ID)), textCell(daysLabel(c.Contest)),
			textCell(metricLabels[c.Metric]), textCell(strings.Join(c.Teams, ", ")), textCell(yesNo(c.RepsSee)),
			textCell(c.SavedAt.Format(time.DateOnly) + " by " + c.SavedBy)})
	}
	pg.Sections = append(pg.Sections, section{ID: "contests", Title: "Contests", Table: t})
	var form *contestForm
	if req.who.user.Role != RoleRep {
		form, err = s.formFor(req, in, "New contest", "Create contest")
		if err != nil {
			return err
		}
		form.Error = problem
	}
	return s.writeContestPage(w, req, code, pg, form)
}

// noContestsNote says why the list is empty.
func noContestsNote(who *viewer) string {
	if who.user.Role == RoleRep {
		return "No contest of your team is shown to reps yet."
	}
	return "No contest yet: define one with the form below."
}

// contestPage is one contest's leaderboard, with the form to change it for those who may.
func (s *Server) contestPage(w http.ResponseWriter, req *request) error {
	b, err := s.boardOf(req.Context(), req, req.PathValue("id"))
	if err != nil {
		return err
	}
	c := b.Contest
	pg := &page{Title: c.Name, Subtitle: fmt.Sprintf("%s · %s · teams %s · as of %s", metricLabels[salesrecipe.ContestMetric(c.Metric)],
		daysText(c.Period, c.From, c.To), strings.Join(c.Teams, ", "), asOfLabel(b.AsOf))}
	pg.Notes = append(pg.Notes, "Points: "+b.Points+".")
	if b.Note != "" {
		pg.Notes = append(pg.Notes, b.Note)
	}
	if !c.RepsSee && req.who.user.Role != RoleRep {
		pg.Notes = append(pg.Notes, "Reps do not see this contest.")
	}
	pg.Tiles = boardTiles(b)
	pg.Sections = append(pg.Sections, leaderboardSection(b, req.who.user.Role != RoleRep))
	if len(b.Values) > 0 {
		pg.Sections = append(pg.Sections, valuesSection(b))
	}
	if len(b.Unranked) > 0 {
		pg.Sections = append(pg.Sections, unrankedSection(b.Unranked))
	}
	if len(b.History) > 0 {
		pg.Sections = append(pg.Sections, versionsSection(b.History))
	}
	var form *contestForm
	if c.CanEdit {
		in := contestInput{ID: c.ID, Name: c.Name, Period: c.Period, Metric: c.Metric, Teams: c.Teams, RepsSee: c.RepsSee}
		if c.Period == "" {
			in.From, in.To = c.From, c.To
		}
		if form, err = s.formFor(req, in, "Change this contest", "Save a new version"); err != nil {
			return err
		}
	}
	return s.writeContestPage(w, req, http.StatusOK, pg, form)
}

// boardTiles are the leaderboard's headline numbers: competitors, the leader and the viewer's own rank.
func boardTiles(b contestBoard) []tile {
	tiles := []tile{{Label: "Competitors", Value: strconv.Itoa(len(b.Standings) + len(b.Unranked)), Sub: "reps of the contest's teams"}}
	if len(b.Standings) > 0 {
		top := b.Standings[0]
		tiles = append(tiles, tile{Label: "Leader", Value: top.Name, Sub: formatNumber(top.Points, 0) + " points"})
	}
	for _, st := range b.Standings {
		if st.You {
			tiles = append(tiles, tile{Label: "Your rank", Value: "#" + strconv.Itoa(st.Rank), Sub: formatNumber(st.Points, 0) + " points", Tone: "good"})
		}
	}
	return tiles
}

// leaderboardSection is the ranking; detail columns only for viewers who manage.
func leaderboardSection(b contestBoard, detail bool) section {
	metric := salesrecipe.ContestMetric(b.Contest.Metric)
	cols := []column{{Label: "Rank", Num: true}, {Label: "Rep"}, {Label: "Points", Num: true}}
	if detail {
		cols = append(cols, column{Label: "Team"})
		cols = append(cols, detailColumns[metric]...)
	}
	t := &table{ID: "standings", Columns: cols}
	for _, st := range b.Standings {
		name := textCell(st.Name)
		if st.You {
			name = textCell(st.Name + " (you)")
		}
		if st.Detail != nil && detail {
			name = linkCell(st.Name, "/reps/"+url.PathEscape(st.Detail.RepID))
		}
		row := []cell{numCell(float64(st.Rank), 0), name, numCell(st.Points, 0)}
		if detail {
			row = append(row, detailCells(metric, st.Detail, len(detailColumns[metric]))...)
		}
		t.Rows = append(t.Rows, row)
	}
	note := "Equal points share a rank."
	if detail {
		note += " What the points are made of is shown for the reps whose numbers you see; reps see names, ranks and points only."
	}
	return section{ID: "standings", Title: "Leaderboard", Note: note, Table: t}
}

// detailColumns are the columns of what each metric's points are made of.
var detailColumns = map[salesrecipe.ContestMetric][]column{
	salesrecipe.MetricRecipePoints: {{Label: "Activities", Num: true}},
	salesrecipe.MetricNewPipeline:  {{Label: "New deals", Num: true}, {Label: "New pipeline", Num: true}},
	salesrecipe.MetricAttainment:   {{Label: "Won", Num: true}, {Label: "Quota", Num: true}, {Label: "Attainment", Num: true}},
}

// detailCells are a standing's detail columns; dashes for a rep whose numbers the viewer does not see.
func detailCells(m salesrecipe.ContestMetric, d *standingDetail, n int) []cell {
	if d == nil {
		dashes := []cell{textCell("—")}
		for range n {
			dashes = append(dashes, cell{Text: "—", Num: true})
		}
		return dashes
	}
	row := []cell{textCell(d.Team)}
	switch m {
	case salesrecipe.MetricRecipePoints:
		var total uint64
		for _, n := range d.Activities {
			total += n
		}
		return append(row, numCell(float64(total), 0))
	case salesrecipe.MetricNewPipeline:
		return append(row, numCell(float64(*d.NewDeals), 0), moneyCell(*d.Pipeline))
	}
	return append(row, moneyCell(*d.Won), moneyCell(*d.Quota), pctCell(d.Attainment))
}

// valuesSection lists the points one activity of each kind earns.
func valuesSection(b contestBoard) section {
	t := &table{ID: "values", Columns: []column{{Label: "Activity"}, {Label: "Points per activity", Num: true}}}
	for _, v := range b.Values {
		t.Rows = append(t.Rows, []cell{textCell(v.Kind), numCell(v.Points, 2)})
	}
	return section{ID: "values", Title: "Points per activity", Table: t,
		Note: "The recipe's value of each kind, from the latest fit known by the contest's end (fitted " + asOfLabel(*b.RecipeFittedAt) + ")."}
}

// unrankedSection lists the competitors without points.
func unrankedSection(us []unranked) section {
	t := &table{ID: "unranked", Columns: []column{{Label: "Rep"}, {Label: "Team"}, {Label: "Why"}}}
	for _, u := range us {
		t.Rows = append(t.Rows, []cell{linkCell(u.Name, "/reps/"+url.PathEscape(u.RepID)), textCell(u.Team), textCell(u.Reason)})
	}
	return section{ID: "unranked", Title: "Not ranked", Table: t}
}

// versionsSection lists every version of the contest's definition.
func versionsSection(vs []contestVersion) section {
	t := &table{ID: "history", Columns: []column{{Label: "Saved"}, {Label: "By"}, {Label: "Name"}, {Label: "Days"}, {Label: "Metric"},
		{Label: "Teams"}, {Label: "Reps see it"}}}
	for _, v := range slices.Backward(vs) {
		t.Rows = append(t.Rows, []cell{textCell(asOfLabel(v.SavedAt)), textCell(v.SavedBy), textCell(v.Name), textCell(daysText(v.Period, v.From, v.To)),
			textCell(metricLabels[salesrecipe.ContestMetric(v.Metric)]), textCell(strings.Join(v.Teams, ", ")), textCell(yesNo(v.RepsSee))})
	}
	return section{ID: "history", Title: "Versions", Note: "Every saved version, newest first; the newest counts.", Table: t}
}

// daysLabel renders a contest's days: its period, or its first and last day.
func daysLabel(c salesrecipe.Contest) string {
	return daysText(c.Period, c.From.Format(time.DateOnly), c.To.Format(time.DateOnly))
}

// daysText renders a period, or a first and last day.
func daysText(period, from, to string) string {
	if period != "" {
		return period
	}
	return from + " – " + to
}

// yesNo renders a flag.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formFor fills the contest form with in: the metrics, and the teams the viewer may include.
func (s *Server) formFor(req *request, in contestInput, title, submit string) (*contestForm, error) {
	teams, err := s.firmTeams(req.Context(), req.firm)
	if err != nil {
		return nil, err
	}
	f := &contestForm{Title: title, Submit: submit, ID: in.ID, Name: in.Name, Period: in.Period, From: in.From, To: in.To, RepsSee: in.RepsSee}
	for _, m := range salesrecipe.ContestMetrics {
		f.Metrics = append(f.Metrics, option{Value: string(m), Label: metricLabels[m], Selected: string(m) == in.Metric})
	}
	for _, t := range teams {
		if req.who.user.ManagesTeam(t) {
			f.Teams = append(f.Teams, option{Value: t, Label: t, Selected: slices.Contains(in.Teams, t)})
		}
	}
	switch req.who.via {
	case "cookie":
		f.CSRF = s.sign.csrf("session", req.who.ses.nonce)
	case "proxy":
		f.Note = "Signed in through your single sign-on proxy, you change contests with the API and your bearer token (POST /api/v1/contests)."
	}
	return f, nil
}

// writeContestPage writes a contest page: the page, then the form; ?csv= downloads one of its tables.
func (s *Server) writeContestPage(w http.ResponseWriter, req *request, code int, pg *page, form *contestForm) error {
	bp, err := s.build(pg, req.URL.Path, req.q)
	if err != nil {
		return err
	}
	if req.URL.Query().Get("csv") != "" {
		return s.write(w, req, bp)
	}
	body := bytes.NewBuffer(bp.body)
	if form != nil {
		if err := s.views.ExecuteTemplate(body, "contest-form", form); err != nil {
			return fmt.Errorf("render the contest form: %w", err)
		}
	}
	return s.layout(w, req, code, bp.title, body.Bytes(), false, false)
}

// contestFormPost saves the form's contest and shows its leaderboard; a problem with the input
// shows the form again with it (400).
func (s *Server) contestFormPost(w http.ResponseWriter, req *request) error {
	if err := s.contestWriter(req); err != nil {
		return err
	}
	req.Body = http.MaxBytesReader(w, req.Body, 16<<10)
	if err := req.ParseForm(); err != nil {
		return &httpError{code: http.StatusBadRequest, msg: "the form could not be read: " + err.Error()}
	}
	f := req.PostForm
	in := contestInput{ID: f.Get("id"), Name: f.Get("name"), Period: strings.TrimSpace(f.Get("period")), From: f.Get("from"), To: f.Get("to"),
		Metric: f.Get("metric"), Teams: f["teams"], RepsSee: f.Get("reps_see") != ""}
	c, _, err := s.saveContest(req.Context(), req, in)
	var he *httpError
	if errors.As(err, &he) && he.code == http.StatusBadRequest {
		return s.contestsPageWith(w, req, http.StatusBadRequest, in, he.msg)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, req.Request, "/contests/"+url.PathEscape(c.ID), http.StatusSeeOther)
	return nil
}
