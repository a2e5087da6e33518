package dashboards

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// This file is the one place where access is decided: who the caller is
// (authenticate), whether the route is theirs (guard) and which reps' numbers
// they see (viewer.seesRep). Every page and API route is registered through
// guard, and every row of rep numbers is filtered through seesRep.

// access says who may use a route.
type access int

const (
	// accessFirm routes show firm-level numbers to everyone who reads dashboards and
	// rep numbers only for the reps the viewer sees.
	accessFirm access = iota
	// accessManagers routes are for admins and managers; a rep is sent to their own
	// version of the page (ownPath + their rep id) when the route has one.
	accessManagers
	// accessRep routes name a rep in {rep_id}; a rep the viewer does not see does not exist (404).
	accessRep
	// accessAdmin routes change what the firm's pages show: admins only (others 403). A browser
	// session must send its CSRF token; a proxy-signed-in user must use a bearer token instead.
	accessAdmin
)

// route describes one guarded route.
type route struct {
	name    string
	access  access
	api     bool
	ownPath string
	// expensive routes (backtests, exports) count against the user's request rate.
	expensive bool
}

// routeLanding is "/", which sends each user to their landing page.
var routeLanding = route{name: "landing", access: accessFirm}

// viewer is an authenticated user and how they signed in.
type viewer struct {
	user *User
	via  string // "cookie", "bearer" or "proxy"
	ses  session
}

// seesRep reports whether the viewer may see a rep's numbers: admins see
// their firm, managers their teams (all teams when they have none), reps themselves.
// Rows are always read from the viewer's own firm, so no firm is compared here.
func (v *viewer) seesRep(repID, team string) bool {
	switch v.user.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return v.user.ManagesTeam(team)
	case RoleRep:
		return repID == v.user.RepID
	}
	return false
}

// seesTeam reports whether the viewer sees a whole team's totals.
func (v *viewer) seesTeam(team string) bool {
	return v.user.Role == RoleAdmin || (v.user.Role == RoleManager && v.user.ManagesTeam(team))
}

// seesFirm reports whether the viewer sees every rep of the firm.
func (v *viewer) seesFirm() bool {
	return v.user.Role == RoleAdmin || (v.user.Role == RoleManager && len(v.user.Teams) == 0)
}

// scopeKey names what the viewer sees, so cached answers are shared only by
// viewers who see exactly the same rows.
func (v *viewer) scopeKey() string {
	u := v.user
	switch {
	case v.seesFirm():
		return "firm:" + u.Firm
	case u.Role == RoleManager:
		return "teams:" + u.Firm + ":" + strings.Join(u.Teams, "\x00")
	default:
		return "rep:" + u.Firm + ":" + u.RepID
	}
}

// landing returns the viewer's home page.
func (v *viewer) landing() string {
	if v.user.Role == RoleRep {
		return "/reps/" + url.PathEscape(v.user.RepID)
	}
	return "/team"
}

// httpError is an error with the status code and message the caller sees.
type httpError struct {
	code int
	msg  string
	// retryAfter, in seconds, is sent as Retry-After when set.
	retryAfter int
}

// Error returns the message.
func (e *httpError) Error() string { return e.msg }

// tooManySignIns is the 429 answer of the sign-in rate limit, saying (and
// sending as Retry-After) how many whole seconds to wait.
func tooManySignIns(wait time.Duration) *httpError {
	secs := int(wait.Seconds()) + 1
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &httpError{code: http.StatusTooManyRequests, retryAfter: secs,
		msg: fmt.Sprintf("too many sign-in attempts; try again in %d %s", secs, unit)}
}

// errNotFound is the answer for anything the viewer may not know exists.
var errNotFound = &httpError{code: http.StatusNotFound, msg: "not found"}

// errUnknownProxyUser reports a proxy header naming no user of the users file.
var errUnknownProxyUser = errors.New("the e-mail the proxy sent is not in the users file")

// authenticate returns the caller: a bearer token first, then the proxy header
// (only when configured and only from a trusted proxy), then the session cookie.
// A client that has used up its failed attempts is refused before its token is checked.
func (s *Server) authenticate(r *http.Request) (*viewer, error) {
	if r.Header.Get("Authorization") != "" {
		if wait := s.gate.Limited(r); wait > 0 {
			return nil, tooManySignIns(wait)
		}
		u, err := s.cfg.Users.Bearer(r)
		if err != nil {
			s.gate.Failed(r)
			return nil, err
		}
		return &viewer{user: u, via: "bearer"}, nil
	}
	if h := s.cfg.AuthProxyHeader; h != "" && s.gate.FromProxy(r) {
		if email := r.Header.Get(h); email != "" {
			u, ok := s.cfg.Users.ByEmail(email)
			if !ok {
				return nil, errUnknownProxyUser
			}
			return &viewer{user: u, via: "proxy"}, nil
		}
	}
	ses, u, ok := s.cookieSession(r)
	if !ok {
		return nil, ErrUnauthenticated
	}
	return &viewer{user: u, via: "cookie", ses: ses}, nil
}

// cookieSession returns the request's valid session cookie and its user.
func (s *Server) cookieSession(r *http.Request) (session, *User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, nil, false
	}
	ses, err := s.sign.verify(c.Value)
	if err != nil {
		return session{}, nil, false
	}
	u, ok := s.cfg.Users.byIDLookup(ses.userID)
	return ses, u, ok
}

// dropOtherSession ends a session cookie of another user when the proxy names
// someone else: the proxy decides who is at the browser, and the other user's
// session must not live on behind it (it is logged, never silently swapped).
func (s *Server) dropOtherSession(w http.ResponseWriter, r *http.Request, who *viewer) {
	if who.via != "proxy" {
		return
	}
	if ses, u, ok := s.cookieSession(r); ok && u != who.user {
		s.log.Warn("the proxy names another user than the session cookie; the cookie's session is ended",
			"proxy_user", who.user.Name, "cookie_user", u.Name)
		if err := s.sign.revoke(r.Context(), ses); err != nil {
			s.log.Error("end the cookie's session", "err", err)
		}
		s.setCookie(w, r, sessionCookie, "", -1)
	}
}

// request is a guarded request: the viewer, their firm, the period and as-of
// selection, and the rep the path names.
type request struct {
	*http.Request
	who  *viewer
	firm string
	q    params
	rep  salesrecipe.Rep
}

// handler serves a guarded request.
type handler func(w http.ResponseWriter, req *request) error

// guard authenticates the caller and applies the route's access rule before h runs.
func (s *Server) guard(rt route, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := s.admit(w, r, rt)
		if err == nil && req == nil {
			return // admit answered (a redirect)
		}
		if err == nil {
			err = h(w, req)
		}
		if err != nil {
			s.fail(w, r, rt, req, err)
		}
	})
}

// admit decides whether the caller may use the route; it returns a nil request
// and nil error when it has answered with a redirect itself.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, rt route) (*request, error) {
	who, err := s.authenticate(r)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			return nil, he
		}
		if errors.Is(err, errUnknownProxyUser) {
			return nil, &httpError{code: http.StatusForbidden, msg: err.Error()}
		}
		if !rt.api {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil, nil
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="salesrecipe"`)
		return nil, &httpError{code: http.StatusUnauthorized, msg: "missing or unknown token"}
	}
	s.dropOtherSession(w, r, who)
	req := &request{Request: r, who: who, firm: who.user.Firm}
	if !who.user.signsIn() {
		return req, &httpError{code: http.StatusForbidden, msg: fmt.Sprintf("a user of role %s may not use the dashboards or the JSON API", who.user.Role)}
	}
	if rt.expensive {
		if ok, wait := s.heavy.allow(who.user.key()); !ok {
			he := tooManySignIns(wait)
			he.msg = fmt.Sprintf("too many expensive requests; try again in %d seconds", he.retryAfter)
			return req, he
		}
	}
	if f := r.URL.Query().Get("firm"); f != "" && f != who.user.Firm {
		return req, errNotFound
	}
	if req.q, err = s.parseParams(r.URL.Query()); err != nil {
		return req, &httpError{code: http.StatusBadRequest, msg: err.Error()}
	}
	switch rt.access {
	case accessManagers:
		if who.user.Role == RoleRep {
			if rt.ownPath == "" {
				return req, errNotFound
			}
			target := rt.ownPath + url.PathEscape(who.user.RepID)
			if raw := r.URL.RawQuery; raw != "" {
				target += "?" + raw
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil, nil
		}
	case accessAdmin:
		if err := adminAction(s, who, r); err != nil {
			return req, err
		}
	case accessRep:
		rep, ok, err := s.visibleRep(r.Context(), who, r.PathValue("rep_id"))
		if err != nil {
			return req, err
		}
		if !ok {
			return req, errNotFound
		}
		req.rep = rep
	}
	return req, nil
}

// adminAction refuses a state-changing route to anyone but an admin, and to a browser that
// could be driven by another site: a cookie session must send its CSRF token (form field csrf),
// and a user the proxy signed in must use a bearer token.
func adminAction(s *Server, who *viewer, r *http.Request) error {
	if who.user.Role != RoleAdmin {
		return &httpError{code: http.StatusForbidden, msg: fmt.Sprintf("only an admin may do this; you are %s", who.user.Role)}
	}
	return browserWrite(s, who, r)
}

// browserWrite refuses a state change a browser could be driven into by another site: a cookie
// session must send its CSRF token (form field csrf, or header X-CSRF-Token for JSON), and a
// user the proxy signed in must use a bearer token.
func browserWrite(s *Server, who *viewer, r *http.Request) error {
	switch who.via {
	case "bearer":
		return nil
	case "cookie":
		if h := r.Header.Get("X-CSRF-Token"); h != "" && s.sign.checkCSRF("session", who.ses.nonce, h) {
			return nil
		}
		r.Body = http.MaxBytesReader(nil, r.Body, 8<<10)
		if err := r.ParseForm(); err == nil && s.sign.checkCSRF("session", who.ses.nonce, r.PostForm.Get("csrf")) {
			return nil
		}
		return &httpError{code: http.StatusForbidden, msg: "this form expired or lacks its CSRF token; reload the page and try again"}
	}
	return &httpError{code: http.StatusForbidden, msg: "signed in through the proxy, send your bearer token (Authorization: Bearer ...) for this request"}
}

// visibleRep returns the rep with this id when the viewer sees them.
func (s *Server) visibleRep(ctx context.Context, who *viewer, id string) (salesrecipe.Rep, bool, error) {
	if who.user.Role == RoleRep && id != who.user.RepID {
		return salesrecipe.Rep{}, false, nil
	}
	reps, err := s.reps(ctx, who.user.Firm)
	if err != nil {
		return salesrecipe.Rep{}, false, err
	}
	for _, r := range reps {
		if r.ID == id {
			return r, who.seesRep(r.ID, r.Team), nil
		}
	}
	return salesrecipe.Rep{}, false, nil
}

// fail answers with the error: its own status for an httpError, 500 otherwise (logged).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt route, req *request, err error) {
	code, msg := http.StatusInternalServerError, "internal error; the server log has the details: reload in a moment or tell your administrator"
	var he *httpError
	if errors.As(err, &he) {
		code, msg = he.code, he.msg
		if he.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(he.retryAfter))
		}
	} else if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		s.log.Debug("the client went away", "path", r.URL.Path)
		return
	} else {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	if rt.api {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	s.errorPage(w, req, code, msg)
}
