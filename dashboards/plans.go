package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
)

// The firm's plan rules when the server is not told otherwise.
const (
	// DefaultPlanMonths is how many months a business plan covers.
	DefaultPlanMonths = 6
	// DefaultPlanMultiple is the multiple of quota a plan's pipeline must reach.
	DefaultPlanMultiple = 3.0
	// maxPlanBody is the largest plan a request may send.
	maxPlanBody = 256 << 10
)

// methodRoute is one guarded route of any method whose handler writes its own answer.
type methodRoute struct {
	method  string
	pattern string
	route   route
	do      handler
}

// methodRoutes lists the routes of people's own numbers (plans, calls, contests) with their methods.
func (s *Server) methodRoutes() []methodRoute {
	return slices.Concat(s.planRoutes(), s.callRoutes(), s.contestRoutes())
}

// planRoutes lists the business plan's API and form routes.
func (s *Server) planRoutes() []methodRoute {
	api := route{name: "api-plan", access: accessRep, api: true}
	return []methodRoute{
		{http.MethodGet, "/api/v1/plans/{rep_id}", api, s.planGetAPI},
		{http.MethodPut, "/api/v1/plans/{rep_id}", api, s.planPutAPI},
		{http.MethodPost, "/reps/{rep_id}/plan", route{name: "plan-form", access: accessRep}, s.planFormPost},
	}
}

// edits counts saves of people's own numbers (plans, forecast calls) per firm, so cached pages
// that show them are rebuilt at once after a save.
type edits struct {
	mu sync.Mutex
	n  map[string]uint64
}

// bump records a save in a firm.
func (e *edits) bump(firm string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]uint64{}
	}
	e.n[firm]++
}

// generation names the firm's saves so far, for cache keys.
func (e *edits) generation(firm string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Sprint(e.n[firm])
}

// PlanAnswer is the JSON form of a rep's business plan starting in one month: what it is measured
// against, the latest saved version, every version, and plan against actual so far.
type PlanAnswer struct {
	Firm  string `json:"firm"`
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
	Team  string `json:"team"`
	From  string `json:"from"`
	// Months and Multiple are the firm's rules now; a saved plan keeps those of its save.
	Months   int     `json:"months"`
	Multiple float64 `json:"multiple"`
	// Quota is the rep's quota summed over the plan's months that have one (QuotaMonths); null when none has.
	Quota       *float64 `json:"quota"`
	QuotaMonths int      `json:"quota_months"`
	// TargetPipeline is Multiple x Quota: the least pipeline the plan's accounts must sum to.
	TargetPipeline *float64 `json:"target_pipeline"`
	// RequiredCoverage is the coverage the forecast says this rep needs in CoveragePeriod, given how
	// their pipeline converts; null when the forecast has none.
	RequiredCoverage *float64 `json:"required_coverage"`
	CoveragePeriod   string   `json:"required_coverage_period"`
	// SuggestedObjectives are the monthly activities the recipe says bring the plan's monthly quota.
	SuggestedObjectives []salesrecipe.PlanObjective `json:"suggested_objectives"`
	// Plan is the latest saved version; null when none is saved.
	Plan *salesrecipe.Plan `json:"plan"`
	// History is every saved version, newest first.
	History  []salesrecipe.Plan `json:"history"`
	Tracking *PlanTracking      `json:"tracking"`
	Notes    []string           `json:"notes"`
}

// planInput is the body of PUT /api/v1/plans/{rep_id}: the plan's lists.
type planInput struct {
	Accounts   []salesrecipe.PlanAccount   `json:"accounts"`
	Objectives []salesrecipe.PlanObjective `json:"objectives"`
	Training   []salesrecipe.PlanTraining  `json:"training"`
	Goals      []string                    `json:"goals"`
}

// planFrom reads the plan's first month from ?from=YYYY-MM; without it, the month the selected period starts in.
func planFrom(req *request) (salesrecipe.Period, error) {
	text := req.URL.Query().Get("from")
	if req.Method == http.MethodPost && req.PostForm != nil && req.PostForm.Get("from") != "" {
		text = req.PostForm.Get("from")
	}
	if text == "" {
		return salesrecipe.NewPeriod(salesrecipe.GrainMonth, req.q.period.Start), nil
	}
	p, err := salesrecipe.ParsePeriod(text)
	if err == nil && p.Grain != salesrecipe.GrainMonth {
		err = errors.New("want a month YYYY-MM")
	}
	if err == nil {
		err = inRange("from", text, p.Start)
	}
	if err != nil {
		return p, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("from: value %q: %v", text, trimPrefix(err, "period "+fmt.Sprintf("%q", text)+": "))}
	}
	return p, nil
}

// trimPrefix returns the error's text without a prefix that repeats the field.
func trimPrefix(err error, prefix string) string {
	return strings.TrimPrefix(err.Error(), prefix)
}

// plansAsOf is the moment plans are read at: the clock's own time for a "now" selection (a
// plan just saved shows at once), else the selected as-of moment.
func (s *Server) plansAsOf(q params) time.Time {
	if q.now {
		return s.cfg.Now().UTC()
	}
	return q.asOf
}

// planGetAPI answers GET /api/v1/plans/{rep_id}?from=YYYY-MM; without from, the plan covering
// the selected period (or, when none does, the one that would start in its month).
func (s *Server) planGetAPI(w http.ResponseWriter, req *request) error {
	from, err := planFrom(req)
	if err != nil {
		return err
	}
	if req.URL.Query().Get("from") == "" {
		if from, _, err = s.coveringFrom(req.Context(), req); err != nil {
			return err
		}
	}
	return s.writePlan(w, req, from)
}

// coveringFrom returns the first month of the plan covering the selected period, or the month
// the period starts in when no plan covers it (found false).
func (s *Server) coveringFrom(ctx context.Context, req *request) (from salesrecipe.Period, found bool, err error) {
	p, ok, err := s.cfg.Store.PlanCovering(ctx, req.firm, req.rep.ID, req.q.period.Start, s.plansAsOf(req.q))
	if err != nil || !ok {
		return salesrecipe.NewPeriod(salesrecipe.GrainMonth, req.q.period.Start), false, err
	}
	return salesrecipe.NewPeriod(salesrecipe.GrainMonth, p.From), true, nil
}

// writePlan answers with the plan starting in from.
func (s *Server) writePlan(w http.ResponseWriter, req *request, from salesrecipe.Period) error {
	a, err := s.planAnswer(req.Context(), req, from)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// planPutAPI answers PUT /api/v1/plans/{rep_id}?from=YYYY-MM: it saves a new version of the plan.
func (s *Server) planPutAPI(w http.ResponseWriter, req *request) error {
	if err := s.mayWrite(req, ""); err != nil {
		return err
	}
	from, err := planFrom(req)
	if err != nil {
		return err
	}
	var in planInput
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxPlanBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return &httpError{code: http.StatusBadRequest, msg: "body: " + jsonProblem(err)}
	}
	if dec.More() {
		return &httpError{code: http.StatusBadRequest, msg: "body: more than one JSON value"}
	}
	if err := s.savePlan(req.Context(), req, from, in); err != nil {
		return err
	}
	return s.writePlan(w, req, from)
}

// jsonProblem says what is wrong with a JSON body in words a caller can act on.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("field %s: want a %s, not a JSON %s", te.Field, te.Type, te.Value)
	case errors.As(err, &mb):
		return fmt.Sprintf("larger than %d bytes", mb.Limit)
	case errors.Is(err, io.EOF):
		return "empty; send the plan as JSON"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// planFormPost saves the plan form of the rep page and sends the browser back to it.
func (s *Server) planFormPost(w http.ResponseWriter, req *request) error {
	req.Body = http.MaxBytesReader(w, req.Body, maxPlanBody)
	if err := req.ParseForm(); err != nil {
		return &httpError{code: http.StatusBadRequest, msg: "the form could not be read: " + err.Error()}
	}
	if err := s.mayWrite(req, req.PostForm.Get("csrf")); err != nil {
		return err
	}
	from, err := planFrom(req)
	if err != nil {
		return err
	}
	in, err := planFormInput(req.PostForm)
	if err != nil {
		return &httpError{code: http.StatusBadRequest, msg: err.Error()}
	}
	if err := s.savePlan(req.Context(), req, from, in); err != nil {
		return err
	}
	v := url.Values{}
	v.Set("period", from.String())
	http.Redirect(w, req.Request, "/reps/"+url.PathEscape(req.rep.ID)+"?"+v.Encode()+"#plan", http.StatusSeeOther)
	return nil
}

// mayWrite refuses a write a browser could be tricked into: a cookie session must send its
// CSRF token (header X-CSRF-Token or form field csrf); a user the proxy signed in must use a
// bearer token. Who may write is who may see the rep (the route's access rule).
func (s *Server) mayWrite(req *request, formToken string) error {
	switch req.who.via {
	case "bearer":
		return nil
	case "cookie":
		token := req.Header.Get("X-CSRF-Token")
		if token == "" {
			token = formToken
		}
		if s.sign.checkCSRF("session", req.who.ses.nonce, token) {
			return nil
		}
		return &httpError{code: http.StatusForbidden, msg: "this form expired or lacks its CSRF token; reload the page and try again"}
	}
	return &httpError{code: http.StatusForbidden, msg: "send your bearer token (Authorization: Bearer ...) to change a plan or a call"}
}

// savePlan checks a plan against the firm's rules and stores it as a new version.
func (s *Server) savePlan(ctx context.Context, req *request, from salesrecipe.Period, in planInput) error {
	p := salesrecipe.Plan{RepID: req.rep.ID, From: from.Start, Months: s.cfg.PlanMonths, Multiple: s.cfg.PlanMultiple,
		Accounts: in.Accounts, Objectives: in.Objectives, Training: in.Training, Goals: in.Goals,
		SavedAt: s.cfg.Now().UTC(), SavedBy: req.who.user.Name}
	var problems []salesrecipe.FieldError
	var ve *salesrecipe.ValidationError
	if err := p.Validate(); errors.As(err, &ve) {
		problems = ve.Fields
	} else if err != nil {
		return err
	}
	b, err := s.planBasis(ctx, req, from, s.cfg.PlanMonths)
	if err != nil {
		return err
	}
	if b.target != nil && p.PlannedPipeline() < *b.target {
		problems = append(problems, salesrecipe.FieldError{Field: "accounts", Value: formatMoney(p.PlannedPipeline()),
			Reason: fmt.Sprintf("the planned pipeline must reach %s× the quota of the plan's months (%s): at least %s",
				formatNumber(s.cfg.PlanMultiple, 1), formatMoney(*b.quota), formatMoney(*b.target))})
	}
	if len(problems) > 0 {
		return &httpError{code: http.StatusBadRequest, msg: (&salesrecipe.ValidationError{Fields: problems}).Error()}
	}
	if err := s.cfg.Store.SavePlan(ctx, req.firm, p); err != nil {
		return err
	}
	s.edits.bump(req.firm)
	s.log.Info("plan saved", "firm", req.firm, "rep", p.RepID, "from", from.String(), "by", p.SavedBy)
	return nil
}

// planBasis is what a plan is measured against.
type planBasis struct {
	from        salesrecipe.Period
	months      int
	quota       *float64
	quotaMonths int
	target      *float64
	// values is the recipe's won revenue per activity of each kind it vouches for; nil without a monthly recipe.
	values    map[string]float64
	suggested []salesrecipe.PlanObjective
	notes     []string
}

// planBasis reads the rep's quota over the plan's months and the recipe's objectives for it.
func (s *Server) planBasis(ctx context.Context, req *request, from salesrecipe.Period, months int) (*planBasis, error) {
	b := &planBasis{from: from, months: months}
	end := from.Start.AddDate(0, months, 0)
	quotas, err := s.cfg.Store.Quotas(ctx, req.firm, from.Start.AddDate(0, -2, 0), end)
	if err != nil {
		return nil, err
	}
	sum := 0.0
	for m, i := from, 0; i < months; m, i = m.Next(), i+1 {
		if qt, ok := quotaIn(quotas, req.rep.ID, m); ok {
			sum += qt
			b.quotaMonths++
		}
	}
	if b.quotaMonths > 0 {
		b.quota, b.target = ptr(round2(sum)), ptr(round2(sum*s.cfg.PlanMultiple))
	}
	if b.quotaMonths < months {
		b.notes = append(b.notes, fmt.Sprintf("A quota is loaded for %d of the plan's %d months; the target and the suggested objectives use those months only.", b.quotaMonths, months))
	}
	if err := s.addSuggestions(ctx, req, b); err != nil {
		return nil, err
	}
	return b, nil
}

// addSuggestions fills the recipe's values and the objectives that bring the plan's monthly quota.
func (s *Server) addSuggestions(ctx context.Context, req *request, b *planBasis) error {
	sr, err := s.recipeOf(ctx, req.firm, params{period: salesrecipe.NewPeriod(salesrecipe.GrainMonth, req.q.asOf), asOf: req.q.asOf, now: req.q.now})
	if err != nil {
		return err
	}
	if sr == nil || sr.model.Recipe == nil {
		b.notes = append(b.notes, "No monthly recipe is fitted yet: no objectives are suggested and the cost of an activity shortfall is unknown.")
		return nil
	}
	b.values = forecast.PlanValues(sr.model)
	usual, firm, err := s.usualActivity(ctx, req, b)
	if err != nil {
		return err
	}
	monthly := 0.0
	if b.quota != nil {
		monthly = *b.quota / float64(b.quotaMonths)
	}
	obj := forecast.PlanObjectives(sr.model, req.rep.ID, monthly, usual, firm)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		b.suggested = append(b.suggested, salesrecipe.PlanObjective{Kind: k, PerMonth: obj[k]})
	}
	return nil
}

// usualMonths is how many complete months before a plan its "usual" activity is averaged over.
const usualMonths = 6

// usualActivity returns the rep's mean monthly activity per kind over the complete months before
// the plan (or before the as-of month, when earlier), and the firm's mean per rep when the rep has
// none of the kinds the recipe values.
func (s *Server) usualActivity(ctx context.Context, req *request, b *planBasis) (usual, firm map[string]float64, err error) {
	end := minTime(b.from.Start, salesrecipe.NewPeriod(salesrecipe.GrainMonth, req.q.asOf).Start)
	start := end.AddDate(0, -usualMonths, 0)
	counts, err := s.cfg.Store.RepActivityCounts(ctx, req.firm, req.rep.ID, salesrecipe.GrainMonth, start, end, req.q.asOf)
	if err != nil {
		return nil, nil, err
	}
	usual = map[string]float64{}
	valued := false
	for _, c := range counts {
		usual[c.Kind] += float64(c.N) / usualMonths
		valued = valued || b.values[c.Kind] > 0
	}
	if valued {
		return usual, nil, nil
	}
	all, err := s.cfg.Store.ActivityCounts(ctx, req.firm, salesrecipe.GrainMonth, start, end, req.q.asOf)
	if err != nil {
		return nil, nil, err
	}
	reps := map[string]bool{}
	firm = map[string]float64{}
	for _, c := range all {
		reps[c.RepID] = true
		firm[c.Kind] += float64(c.N) / usualMonths
	}
	for k := range firm {
		firm[k] /= float64(max(len(reps), 1))
	}
	return usual, firm, nil
}

// planAnswer reads the plan starting in from, what it is measured against, and how it is going.
func (s *Server) planAnswer(ctx context.Context, req *request, from salesrecipe.Period) (*PlanAnswer, error) {
	asOf := s.plansAsOf(req.q)
	versions, err := s.cfg.Store.PlanVersions(ctx, req.firm, req.rep.ID, from.Start, asOf)
	if err != nil {
		return nil, err
	}
	months := s.cfg.PlanMonths
	if len(versions) > 0 {
		months = versions[0].Months
	}
	b, err := s.planBasis(ctx, req, from, months)
	if err != nil {
		return nil, err
	}
	a := &PlanAnswer{Firm: req.firm, RepID: req.rep.ID, Name: req.rep.Name, Team: req.rep.Team, From: from.String(),
		Months: s.cfg.PlanMonths, Multiple: s.cfg.PlanMultiple, Quota: b.quota, QuotaMonths: b.quotaMonths, TargetPipeline: b.target,
		SuggestedObjectives: orEmpty(b.suggested), History: orEmpty(versions), Notes: orEmpty(b.notes)}
	if err := s.addCoverage(ctx, req, a); err != nil {
		return nil, err
	}
	if len(versions) > 0 {
		a.Plan = &versions[0]
		if a.Tracking, err = s.planTracking(ctx, req, versions[0], b); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// addCoverage adds the coverage the forecast of the selected period says the rep needs.
func (s *Server) addCoverage(ctx context.Context, req *request, a *PlanAnswer) error {
	fc, err := s.firmForecast(ctx, req.firm, req.q)
	if err != nil {
		return err
	}
	a.CoveragePeriod = req.q.period.String()
	for _, r := range fc.Reps {
		if r.RepID == req.rep.ID {
			a.RequiredCoverage = r.RequiredCoverage
		}
	}
	return nil
}

// orEmpty returns s, or an empty slice for nil, so JSON says [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
