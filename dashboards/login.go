package dashboards

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// loginForm fills the login template.
type loginForm struct {
	CSRF  string
	Next  string
	Error string
	TTL   string
}

// loginPage shows the sign-in form, or signs in with ?token= and redirects at
// once so the token leaves the address bar (and is never logged).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := safeNext(q.Get("next"))
	if q.Has("token") {
		if !s.allowLogin(w, r) {
			return
		}
		if u, ok := s.cfg.Users.ByToken(q.Get("token")); ok && u.signsIn() {
			if err := s.startSession(w, r, u); err != nil {
				s.fail(w, r, route{}, nil, err)
				return
			}
			http.Redirect(w, r, orLanding(next, u), http.StatusSeeOther)
			return
		}
		s.gate.Failed(r)
		http.Redirect(w, r, "/login?failed=1&next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	msg := ""
	if q.Has("failed") {
		msg = "That token is not valid for the dashboards."
	}
	s.showLogin(w, r, http.StatusOK, next, msg)
}

// showLogin renders the form with a fresh CSRF token bound to a short-lived login cookie.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, code int, next, msg string) {
	nonce, err := randomHex(16)
	if err != nil {
		s.fail(w, r, route{}, nil, err)
		return
	}
	s.setCookie(w, r, loginCookie, nonce, 15*time.Minute)
	f := loginForm{CSRF: s.sign.csrf("login", nonce), Next: next, Error: msg, TTL: humanDuration(s.cfg.SessionTTL)}
	var b bytes.Buffer
	if err := s.views.ExecuteTemplate(&b, "login", f); err != nil {
		s.fail(w, r, route{}, nil, fmt.Errorf("render login: %w", err))
		return
	}
	if err := s.layout(w, nil, code, "Sign in", b.Bytes(), false, false); err != nil {
		s.log.Error("login page", "err", err)
	}
}

// loginPost signs in with the form's token.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if !s.allowLogin(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.showLogin(w, r, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	c, err := r.Cookie(loginCookie)
	if err != nil || !s.sign.checkCSRF("login", c.Value, r.PostForm.Get("csrf")) {
		s.showLogin(w, r, http.StatusForbidden, next, "The form expired; please sign in again.")
		return
	}
	u, ok := s.cfg.Users.ByToken(strings.TrimSpace(r.PostForm.Get("token")))
	if !ok || !u.signsIn() {
		s.gate.Failed(r)
		s.showLogin(w, r, http.StatusUnauthorized, next, "That token is not valid for the dashboards.")
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.fail(w, r, route{}, nil, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	http.Redirect(w, r, orLanding(next, u), http.StatusSeeOther)
}

// logout ends the session; the form must carry the session's CSRF token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	ses, err := s.sign.verify(c.Value)
	if err != nil {
		s.setCookie(w, r, sessionCookie, "", -1)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !s.sign.checkCSRF("session", ses.nonce, r.PostForm.Get("csrf")) {
		s.fail(w, r, route{}, nil, &httpError{code: http.StatusForbidden, msg: "this sign-out form expired; reload the page and sign out again"})
		return
	}
	if err := s.sign.revoke(r.Context(), ses); err != nil {
		s.fail(w, r, route{}, nil, fmt.Errorf("sign out: %w", err))
		return
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// allowLogin answers 429 when the client has used up its failed sign-ins; it
// runs before the token is looked at, so a right guess is not told apart then.
func (s *Server) allowLogin(w http.ResponseWriter, r *http.Request) bool {
	if wait := s.gate.Limited(r); wait > 0 {
		s.fail(w, r, route{}, nil, tooManySignIns(wait))
		return false
	}
	return true
}

// startSession sets a new signed session cookie for the user.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *User) error {
	value, _, err := s.sign.issue(u.id, s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, value, s.cfg.SessionTTL)
	return nil
}

// landing sends each user to their landing page: a rep to their own page, others to the team.
func (s *Server) landing(w http.ResponseWriter, req *request) error {
	target := req.who.landing()
	if raw := req.URL.RawQuery; raw != "" {
		target += "?" + raw
	}
	http.Redirect(w, req.Request, target, http.StatusSeeOther)
	return nil
}

// safeNext keeps a redirect target on this server: a path, never a scheme, host or "//".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/login") {
		return ""
	}
	return u.RequestURI()
}

// orLanding returns next, or the user's landing page when next is empty.
func orLanding(next string, u *User) string {
	if next != "" {
		return next
	}
	return (&viewer{user: u}).landing()
}

// randomHex returns n random bytes in hex.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// humanDuration renders 12h0m0s as "12 hours".
func humanDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return d.String()
}
