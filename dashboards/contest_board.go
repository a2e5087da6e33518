package dashboards

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// What a leaderboard shows to whom. Everyone who sees a contest sees every competitor's name,
// rank and points. Points are whole numbers: recipe points (activities at the recipe's value of
// their kind), the amount of new pipeline, or attainment in percent. The numbers behind the
// points (activity counts, won revenue, quota, attainment as a ratio) are shown only for the reps
// whose numbers the viewer sees anyway (seesRep: a rep only themselves). An attainment percent
// alone gives neither another rep's revenue nor their quota, and reps without a quota in the
// contest (no attainment) are left out of a rep's view, so not even "no quota" is told. Team
// totals, which with one's own numbers could give away a teammate's, are never shown.

// contestView is a contest's definition as the API shows it.
type contestView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Period  string   `json:"period,omitempty"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Metric  string   `json:"metric"`
	Teams   []string `json:"teams"`
	RepsSee bool     `json:"reps_see"`
	// CreatedAt and CreatedBy are the first version's; UpdatedAt and UpdatedBy the latest's.
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
	Versions  int       `json:"versions"`
	// CanEdit says whether the caller may change the contest.
	CanEdit bool `json:"can_edit"`
}

// viewOfContest is a contest's definition for the viewer.
func viewOfContest(who *viewer, c contestRecord) contestView {
	first := c.created()
	return contestView{ID: c.ID, Name: c.Name, Period: c.Period, From: c.From.Format(time.DateOnly), To: c.To.Format(time.DateOnly),
		Metric: string(c.Metric), Teams: c.Teams, RepsSee: c.RepsSee, CreatedAt: first.SavedAt, CreatedBy: first.SavedBy,
		UpdatedAt: c.SavedAt, UpdatedBy: c.SavedBy, Versions: len(c.versions), CanEdit: canEdit(who, c.Contest)}
}

// contestBoard is a contest's leaderboard as one viewer may see it.
type contestBoard struct {
	Contest contestView `json:"contest"`
	// AsOf is the moment whose data the points count.
	AsOf time.Time `json:"as_of"`
	// Points says what one point is.
	Points string `json:"points"`
	// Values are the points one activity of each kind earns (recipe_points only).
	Values []kindValue `json:"values,omitempty"`
	// RecipeFittedAt is when the fit whose values count ran (recipe_points only).
	RecipeFittedAt *time.Time `json:"recipe_fitted_at,omitempty"`
	// Note says why nobody is ranked, when nobody is.
	Note      string     `json:"note,omitempty"`
	Standings []standing `json:"standings"`
	// Unranked are competitors without points (no quota for attainment): managers and admins only.
	Unranked []unranked `json:"unranked,omitempty"`
	// History is every version of the definition: managers and admins only.
	History []contestVersion `json:"history,omitempty"`
}

// kindValue is what one activity of a kind earns.
type kindValue struct {
	Kind   string  `json:"kind"`
	Points float64 `json:"points_per_activity"`
}

// standing is one competitor's place.
type standing struct {
	Rank   int     `json:"rank"`
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	// You marks the viewer's own row.
	You bool `json:"you,omitempty"`
	// Detail is what the points are made of, only for reps whose numbers the viewer sees.
	Detail *standingDetail `json:"detail,omitempty"`
}

// standingDetail is what a rep's points are made of.
type standingDetail struct {
	RepID      string            `json:"rep_id"`
	Team       string            `json:"team"`
	Activities map[string]uint64 `json:"activities,omitempty"`
	NewDeals   *uint64           `json:"new_deals,omitempty"`
	Pipeline   *float64          `json:"new_pipeline,omitempty"`
	Won        *float64          `json:"won,omitempty"`
	Quota      *float64          `json:"quota,omitempty"`
	Attainment *float64          `json:"attainment,omitempty"`
}

// unranked is a competitor without points and why.
type unranked struct {
	RepID  string `json:"rep_id"`
	Name   string `json:"name"`
	Team   string `json:"team"`
	Reason string `json:"reason"`
}

// contestVersion is one stored version of a contest's definition.
type contestVersion struct {
	SavedAt time.Time `json:"saved_at"`
	SavedBy string    `json:"saved_by"`
	Name    string    `json:"name"`
	Period  string    `json:"period,omitempty"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Metric  string    `json:"metric"`
	Teams   []string  `json:"teams"`
	RepsSee bool      `json:"reps_see"`
}

// contestData are the numbers a leaderboard is computed from, per rep id.
type contestData struct {
	// values is the recipe's value per activity of each kind; nil when no recipe is known.
	values     map[string]float64
	fittedAt   time.Time
	activities map[string]map[string]uint64
	pipeline   map[string]queries.PipelineCreated
	won        map[string]float64
	quota      map[string]float64
}

// score is one competitor's result before it is cut to what a viewer sees.
type score struct {
	rep    salesrecipe.Rep
	rank   int
	points float64
	// ranked is false for a competitor without points (reason says why).
	ranked bool
	reason string
}

// rankContest scores the reps of the contest's teams and ranks them: most points first, equal
// points share a rank (1, 1, 3), ties listed by name. Points are rounded to whole numbers before
// ranking, so the ranks follow the points shown.
func rankContest(c salesrecipe.Contest, reps []salesrecipe.Rep, d contestData) []score {
	var out []score
	for _, r := range reps {
		if !c.HasTeam(r.Team) {
			continue
		}
		sc := score{rep: r, ranked: true}
		switch c.Metric {
		case salesrecipe.MetricRecipePoints:
			sc.points, sc.ranked = recipePoints(d.values, d.activities[r.ID]), d.values != nil
			sc.reason = "no recipe is fitted yet"
		case salesrecipe.MetricNewPipeline:
			sc.points = d.pipeline[r.ID].Amount
		case salesrecipe.MetricAttainment:
			q := d.quota[r.ID]
			sc.ranked, sc.reason = q > 0, "no quota in the contest's days"
			if sc.ranked {
				sc.points = 100 * d.won[r.ID] / q
			}
		}
		sc.points = math.Round(sc.points)
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b score) int {
		return cmp.Or(cmp.Compare(rankedFirst(a), rankedFirst(b)), cmp.Compare(b.points, a.points),
			cmp.Compare(a.rep.Name, b.rep.Name), cmp.Compare(a.rep.ID, b.rep.ID))
	})
	for i := range out {
		if !out[i].ranked {
			break
		}
		out[i].rank = i + 1
		if i > 0 && out[i].points == out[i-1].points {
			out[i].rank = out[i-1].rank
		}
	}
	return out
}

// rankedFirst orders ranked competitors before unranked ones.
func rankedFirst(sc score) int {
	if sc.ranked {
		return 0
	}
	return 1
}

// recipePoints is a rep's activities, each at the recipe's value of its kind; a kind the
// recipe values at zero or less, or does not know, earns nothing.
func recipePoints(values map[string]float64, counts map[string]uint64) float64 {
	var sum float64
	for kind, n := range counts {
		sum += float64(n) * max(values[kind], 0)
	}
	return sum
}

// boardFor cuts the scores to what the viewer may see (see the comment at the top of the file).
func boardFor(who *viewer, c contestRecord, d contestData, scores []score) contestBoard {
	b := contestBoard{Contest: viewOfContest(who, c), Points: pointsMeaning(c.Metric), Standings: []standing{}}
	if c.Metric == salesrecipe.MetricRecipePoints && d.values != nil {
		fitted := d.fittedAt
		b.RecipeFittedAt = &fitted
		for kind, v := range d.values {
			b.Values = append(b.Values, kindValue{Kind: kind, Points: math.Round(100*max(v, 0)) / 100})
		}
		slices.SortFunc(b.Values, func(x, y kindValue) int { return cmp.Or(cmp.Compare(y.Points, x.Points), cmp.Compare(x.Kind, y.Kind)) })
	}
	manages := who.user.Role != RoleRep
	for _, sc := range scores {
		sees := who.seesRep(sc.rep.ID, sc.rep.Team)
		if !sc.ranked {
			if manages && sees {
				b.Unranked = append(b.Unranked, unranked{RepID: sc.rep.ID, Name: sc.rep.Name, Team: sc.rep.Team, Reason: sc.reason})
			}
			continue
		}
		st := standing{Rank: sc.rank, Name: sc.rep.Name, Points: sc.points, You: who.user.Role == RoleRep && sc.rep.ID == who.user.RepID}
		if sees {
			st.Detail = detailOf(c.Metric, sc.rep, d)
		}
		b.Standings = append(b.Standings, st)
	}
	if len(b.Standings) == 0 {
		b.Note = noStandingsNote(c.Metric, d)
	}
	if manages {
		for _, v := range c.versions {
			b.History = append(b.History, contestVersion{SavedAt: v.SavedAt, SavedBy: v.SavedBy, Name: v.Name, Period: v.Period,
				From: v.From.Format(time.DateOnly), To: v.To.Format(time.DateOnly), Metric: string(v.Metric), Teams: v.Teams, RepsSee: v.RepsSee})
		}
	}
	return b
}

// detailOf is what a rep's points are made of.
func detailOf(m salesrecipe.ContestMetric, r salesrecipe.Rep, d contestData) *standingDetail {
	out := &standingDetail{RepID: r.ID, Team: r.Team}
	switch m {
	case salesrecipe.MetricRecipePoints:
		out.Activities = d.activities[r.ID]
	case salesrecipe.MetricNewPipeline:
		p := d.pipeline[r.ID]
		out.Pipeline, out.NewDeals = &p.Amount, &p.Deals
	case salesrecipe.MetricAttainment:
		won, q := d.won[r.ID], d.quota[r.ID]
		out.Won, out.Quota, out.Attainment = &won, &q, forecast.Ratio(won, q)
	}
	return out
}

// pointsMeaning says what one point of a metric is.
func pointsMeaning(m salesrecipe.ContestMetric) string {
	switch m {
	case salesrecipe.MetricRecipePoints:
		return "each activity earns the recipe's value of its kind (won revenue one more such activity brings); kinds the recipe values at nothing earn nothing"
	case salesrecipe.MetricNewPipeline:
		return "one point per unit of currency of the opportunities created in the contest's days (their amount as known now, whatever became of them)"
	}
	return "attainment in percent: won revenue closed in the contest's days over the quota of those days, rounded"
}

// noStandingsNote says why nobody is ranked.
func noStandingsNote(m salesrecipe.ContestMetric, d contestData) string {
	switch {
	case m == salesrecipe.MetricRecipePoints && d.values == nil:
		return "No recipe was fitted on the data known by the contest's end: points appear once the first fit is stored."
	case m == salesrecipe.MetricAttainment:
		return "No competitor has a quota in the contest's days, so there is no attainment to rank."
	}
	return "No rep of the contest's teams yet."
}

// boardOf reads a contest the viewer sees and computes its leaderboard as of the request's as-of moment.
func (s *Server) boardOf(ctx context.Context, req *request, id string) (contestBoard, error) {
	c, err := s.visibleContest(ctx, req.who, id)
	if err != nil {
		return contestBoard{}, err
	}
	reps, err := s.reps(ctx, req.firm)
	if err != nil {
		return contestBoard{}, err
	}
	at := req.q.asOf
	d, err := s.contestData(ctx, req.firm, c.Contest, at)
	if err != nil {
		return contestBoard{}, err
	}
	b := boardFor(req.who, c, d, rankContest(c.Contest, reps, d))
	b.AsOf = at
	if at.Before(c.From) {
		b.Note = "The contest starts on " + c.From.Format(time.DateOnly) + ": points count from then."
	}
	return b, nil
}

// contestData reads what the contest's metric needs for the days [From, Until) as known at at.
func (s *Server) contestData(ctx context.Context, firm string, c salesrecipe.Contest, at time.Time) (contestData, error) {
	var d contestData
	st, month := s.cfg.Store, salesrecipe.GrainMonth
	switch c.Metric {
	case salesrecipe.MetricRecipePoints:
		m, ok, err := forecast.Latest(ctx, st, firm, month, minTime(at, c.Until()))
		if err != nil {
			return d, err
		}
		if rc, has := recipeView(m, ok); has {
			d.values, d.fittedAt = map[string]float64{}, rc.FittedAt
			for _, k := range rc.Kinds {
				d.values[k.Kind] = k.ValuePerActivity
			}
		}
		counts, err := st.ActivityCounts(ctx, firm, month, c.From, c.Until(), at)
		d.activities = map[string]map[string]uint64{}
		for _, n := range counts {
			if d.activities[n.RepID] == nil {
				d.activities[n.RepID] = map[string]uint64{}
			}
			d.activities[n.RepID][n.Kind] += n.N
		}
		return d, err
	case salesrecipe.MetricNewPipeline:
		rows, err := st.NewPipeline(ctx, firm, c.From, c.Until(), at)
		d.pipeline = map[string]queries.PipelineCreated{}
		for _, r := range rows {
			d.pipeline[r.RepID] = r
		}
		return d, err
	}
	return s.attainmentData(ctx, firm, c, at)
}

// recipeView is a stored model's recipe, when there is one worth using.
func recipeView(m *forecast.Model, ok bool) (forecast.Recipe, bool) {
	if !ok {
		return forecast.Recipe{}, false
	}
	return m.View()
}

// attainmentData reads won revenue and prorated quotas of the contest's days.
func (s *Server) attainmentData(ctx context.Context, firm string, c salesrecipe.Contest, at time.Time) (contestData, error) {
	d := contestData{won: map[string]float64{}}
	won, err := s.cfg.Store.WonRevenue(ctx, firm, salesrecipe.GrainMonth, c.From, c.Until(), at)
	if err != nil {
		return d, err
	}
	for _, w := range won {
		d.won[w.RepID] += w.Amount
	}
	// A quarter's quota starts up to two months before a day of the contest.
	qs, err := s.cfg.Store.Quotas(ctx, firm, c.From.AddDate(0, -3, 0), c.Until())
	d.quota = salesrecipe.ProrateQuotas(qs, c.From, c.Until())
	return d, err
}
