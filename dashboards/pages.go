package dashboards

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
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
		{"/pipeline", route{name: "pipeline", access: accessFirm}, s.pipelinePage},
		{"/recipe", route{name: "recipe", access: accessFirm}, s.recipePage},
	}
}

// servePage builds a page once per viewer scope and selection (cached), then
// writes it in the layout or one of its tables as CSV.
func (s *Server) servePage(p pageRoute) handler {
	return func(w http.ResponseWriter, req *request) error {
		key := strings.Join([]string{"page", p.route.name, req.URL.Path, req.who.scopeKey(), req.q.key()}, "\x00")
		bp, err := cached(req.Context(), s, key, func(ctx context.Context) (*builtPage, error) {
			pg, err := p.build(ctx, req)
			if err != nil {
				return nil, err
			}
			return s.build(pg, req.URL.Path, req.q)
		})
		if err != nil {
			return err
		}
		return s.write(w, req, bp)
	}
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
		{"/api/v1/recipe", api("api-recipe", accessFirm), s.recipeAPI},
		{"/api/v1/pipeline", api("api-pipeline", accessFirm), s.pipelineAPI},
	}
}

// serveAPI answers with JSON, cached per viewer scope and selection like pages.
func (s *Server) serveAPI(a apiRoute) handler {
	return func(w http.ResponseWriter, req *request) error {
		key := strings.Join([]string{"api", a.route.name, req.URL.Path, req.who.scopeKey(), req.q.key()}, "\x00")
		v, err := cached(req.Context(), s, key, func(ctx context.Context) (any, error) { return a.answer(ctx, req) })
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// recipeAPI is the stored recipe in the fit command's JSON form.
func (s *Server) recipeAPI(ctx context.Context, req *request) (any, error) {
	sr, err := s.recipeOf(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	if sr == nil {
		return nil, &httpError{http.StatusNotFound, "no recipe fitted on the data known at " + req.q.asOf.Format(time.RFC3339)}
	}
	return sr.recipe, nil
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

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
