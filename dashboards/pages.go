package dashboards

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// pageRoute is one HTML page: its pattern, access rule and builder.
type pageRoute struct {
	pattern string
	route   route
	build   func(context.Context, *request) (*page, error)
}

// pages lists every page.
func (s *Server) pages() []pageRoute {
	return []pageRoute{
		{"/team", route{name: "team", access: accessManagers, ownPath: "/reps/"}, s.teamPage},
		{"/reps/{rep_id}", route{name: "rep", access: accessRep}, s.repPage},
		{"/recipe", route{name: "recipe", access: accessFirm}, s.recipePage},
		{"/accuracy", route{name: "accuracy", access: accessFirm, expensive: true}, s.accuracyPage},
		{"/pipeline", route{name: "pipeline", access: accessFirm}, s.pipelinePage},
		{"/review", route{name: "review", access: accessManagers, ownPath: "/review/"}, s.teamReviewPage},
		{"/review/{rep_id}", route{name: "rep-review", access: accessRep}, s.repReviewPage},
	}
}

// servePage builds a page once per viewer scope and selection (cached), then
// writes it in the layout or one of its tables as CSV.
func (s *Server) servePage(p pageRoute) handler {
	return func(w http.ResponseWriter, req *request) error {
		key := strings.Join([]string{"page", p.route.name, req.URL.Path, req.who.scopeKey(), req.q.key(), s.cfg.Refits.Generation(req.firm), s.edits.generation(req.firm)}, "\x00")
		bp, err := cachedUnless(req, p.route.expensive, s, key, func(ctx context.Context) (*builtPage, error) {
			cur := s.current(req)
			pg, err := p.build(ctx, cur)
			if err != nil {
				return nil, err
			}
			return s.build(pg, cur.URL.Path, cur.q)
		})
		if err != nil {
			return err
		}
		if bp.partial {
			s.cache.forget(key)
		}
		return s.write(w, req, bp)
	}
}

// cachedUnless is cached, except for expensive routes: those compute on the
// request's own context, so the work they start (a backtest) sees when the
// client goes away; what they read is cached below them.
func cachedUnless[T any](req *request, expensive bool, s *Server, key string, fn func(context.Context) (T, error)) (T, error) {
	if expensive {
		return fn(req.Context())
	}
	return cached(req.Context(), s, key, fn)
}

// apiRoute is one JSON endpoint.
type apiRoute struct {
	pattern string
	route   route
	answer  func(context.Context, *request) (any, error)
}

// apis lists every JSON endpoint.
func (s *Server) apis() []apiRoute {
	api := func(name string, a access) route { return route{name: name, access: a, api: true} }
	return []apiRoute{
		{"/api/v1/forecast", api("api-forecast", accessFirm), s.forecastAPI},
		{"/api/v1/recipe", api("api-recipe", accessFirm), s.recipeAPI},
		{"/api/v1/backtest", route{name: "api-backtest", access: accessFirm, api: true, expensive: true}, s.backtestAPI},
		{"/api/v1/reps/{rep_id}", api("api-rep", accessRep), s.repAPI},
		{"/api/v1/pipeline", api("api-pipeline", accessFirm), s.pipelineAPI},
	}
}

// serveAPI answers with JSON, encoded once per viewer scope and selection and cached like pages.
func (s *Server) serveAPI(a apiRoute) handler {
	return func(w http.ResponseWriter, req *request) error {
		key := strings.Join([]string{"api", a.route.name, req.URL.Path, req.who.scopeKey(), req.q.key(), s.cfg.Refits.Generation(req.firm)}, "\x00")
		b, err := cachedUnless(req, a.route.expensive, s, key, func(ctx context.Context) ([]byte, error) {
			v, err := a.answer(ctx, s.current(req))
			if err != nil {
				return nil, err
			}
			return encodeJSON(v)
		})
		if err != nil {
			return err
		}
		writeBody(w, http.StatusOK, "application/json", b)
		return nil
	}
}

// actionRoute is one state-changing JSON endpoint (POST).
type actionRoute struct {
	pattern string
	route   route
	do      handler
}

// actions lists every POST endpoint of the JSON API.
func (s *Server) actions() []actionRoute {
	return []actionRoute{
		{"/api/v1/fit", route{name: "api-fit", access: accessAdmin, api: true}, s.fitAPI},
	}
}

// fitAPI queues a refit of the caller's firm and answers 202 with where it stands.
func (s *Server) fitAPI(w http.ResponseWriter, req *request) error {
	if s.cfg.Refits == nil {
		return &httpError{code: http.StatusServiceUnavailable, msg: "background refits are off in this server"}
	}
	writeJSON(w, http.StatusAccepted, s.cfg.Refits.Request(req.firm))
	return nil
}

// recipeAPI is the stored recipe in the fit command's JSON form.
func (s *Server) recipeAPI(ctx context.Context, req *request) (any, error) {
	sr, err := s.recipeOf(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	if sr == nil || !sr.ok {
		return nil, &httpError{code: http.StatusNotFound, msg: noRecipeText(sr, req.q.asOf.Format(time.RFC3339))}
	}
	return sr.recipe, nil
}

// forecastAPI is the forecast in the CLI's JSON form, cut to the rows the
// caller sees; firm_total is the total of exactly those rows.
func (s *Server) forecastAPI(ctx context.Context, req *request) (any, error) {
	fc, err := s.firmForecast(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	v := viewOf(fc, req.who)
	if v.Reps == nil {
		v.Reps = []forecast.RepRow{}
	}
	if v.Teams == nil {
		v.Teams = []forecast.TeamRow{}
	}
	return v.Forecast, nil
}

// repAPI is the rep page's numbers.
func (s *Server) repAPI(ctx context.Context, req *request) (any, error) {
	return s.repDetailOf(ctx, req)
}

// pipelineAPI is the pipeline page's numbers.
func (s *Server) pipelineAPI(ctx context.Context, req *request) (any, error) {
	return s.pipelineOf(ctx, req)
}

// scopeLabel says whose numbers a page shows.
func scopeLabel(v *viewer) string {
	switch {
	case v.seesFirm():
		return "all reps of " + v.user.Firm
	case v.user.Role == RoleManager:
		return "teams " + strings.Join(v.user.Teams, ", ")
	default:
		return "your own numbers"
	}
}

// minTime returns the earlier time.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// orString returns s, or def when s is empty.
func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// signedMoney renders an amount with its sign: +1,200 or -300.
func signedMoney(v float64) string {
	if v > 0 {
		return "+" + formatMoney(v)
	}
	return formatMoney(v)
}

// nanIfNil returns *v, or NaN (a gap in a chart) when v is nil.
func nanIfNil(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
