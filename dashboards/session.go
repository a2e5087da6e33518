package dashboards

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sessionCookie holds a signed session: who, until when, and a random nonce
// from which the session's CSRF token is derived.
const sessionCookie = "salesrecipe_session"

// loginCookie holds the random value the login form's CSRF token is bound to.
const loginCookie = "salesrecipe_login"

// session is a verified session cookie.
type session struct {
	userID  string
	expires time.Time
	nonce   string
}

// Revocations stores the sessions ended by logout, so a restarted server with
// the same session key still refuses them; queries.Store is one.
type Revocations interface {
	// RevokeSession records that the session with this id ended; expires is when it would have anyway.
	RevokeSession(ctx context.Context, id string, expires time.Time) error
	// RevokedSessions returns the ids of ended sessions that would not have expired by now.
	RevokedSessions(ctx context.Context, now time.Time) (map[string]time.Time, error)
}

// signer signs and verifies cookies and CSRF tokens with one HMAC key, and
// remembers sessions ended by logout until they would have expired anyway.
type signer struct {
	key   []byte
	now   func() time.Time
	store Revocations

	mu      sync.Mutex
	revoked map[string]time.Time
}

// newSigner checks the key: at least 32 bytes; store may be nil.
func newSigner(key []byte, now func() time.Time, store Revocations) (*signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("session key: %d bytes, want at least 32", len(key))
	}
	return &signer{key: key, now: now, store: store, revoked: map[string]time.Time{}}, nil
}

// revocationID is the id a session is revoked under: a hash of its nonce, so
// the store never holds the value CSRF tokens are derived from.
func revocationID(nonce string) string {
	h := sha256.Sum256([]byte("salesrecipe revoked session\x00" + nonce))
	return hex.EncodeToString(h[:16])
}

// LoadRevocations reads the sessions ended by logout before this process
// started; call it once before serving.
func (s *Server) LoadRevocations(ctx context.Context) error {
	if s.sign.store == nil {
		return nil
	}
	ids, err := s.sign.store.RevokedSessions(ctx, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("dashboards: load ended sessions: %w", err)
	}
	s.sign.mu.Lock()
	defer s.sign.mu.Unlock()
	for id, exp := range ids {
		s.sign.revoked[id] = exp
	}
	return nil
}

// NewSessionKey returns 32 random bytes for signing session cookies.
func NewSessionKey() ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	return k, nil
}

// mac returns the HMAC-SHA256 of the parts joined by NUL under the key.
func (s *signer) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for i, p := range parts {
		if i > 0 {
			m.Write([]byte{0})
		}
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// issue returns a new session cookie value for the user, valid for ttl.
func (s *signer) issue(userID string, ttl time.Duration) (string, session, error) {
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		return "", session{}, fmt.Errorf("session nonce: %w", err)
	}
	ses := session{userID: userID, expires: s.now().Add(ttl).Truncate(time.Second), nonce: hex.EncodeToString(n[:])}
	payload := strings.Join([]string{"v1", ses.userID, strconv.FormatInt(ses.expires.Unix(), 10), ses.nonce}, "|")
	sig := s.mac("session", payload)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(sig), ses, nil
}

// errBadSession reports a session cookie that is malformed, forged, expired or logged out.
var errBadSession = errors.New("invalid or expired session")

// verify checks a session cookie's signature, expiry and revocation.
func (s *signer) verify(value string) (session, error) {
	p64, sig64, ok := strings.Cut(value, ".")
	if !ok {
		return session{}, errBadSession
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac("session", string(payload))) {
		return session{}, errBadSession
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 4 || f[0] != "v1" {
		return session{}, errBadSession
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return session{}, errBadSession
	}
	ses := session{userID: f[1], expires: time.Unix(exp, 0), nonce: f[3]}
	if !s.now().Before(ses.expires) || s.isRevoked(ses.nonce) {
		return session{}, errBadSession
	}
	return ses, nil
}

// revoke ends a session before its expiry, in memory at once and in the store
// when there is one (an error then means a restart would forget it).
func (s *signer) revoke(ctx context.Context, ses session) error {
	id := revocationID(ses.nonce)
	s.mu.Lock()
	now := s.now()
	for n, exp := range s.revoked {
		if !now.Before(exp) {
			delete(s.revoked, n)
		}
	}
	s.revoked[id] = ses.expires
	s.mu.Unlock()
	if s.store == nil {
		return nil
	}
	return s.store.RevokeSession(ctx, id, ses.expires)
}

// isRevoked reports whether the session was logged out.
func (s *signer) isRevoked(nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[revocationID(nonce)]
	return ok
}

// csrf returns the CSRF token bound to a nonce (a session's, or the login cookie's).
func (s *signer) csrf(purpose, nonce string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", purpose, nonce))
}

// checkCSRF reports whether token is the CSRF token bound to nonce.
func (s *signer) checkCSRF(purpose, nonce, token string) bool {
	if nonce == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(s.csrf(purpose, nonce)))
}

// setCookie writes an HttpOnly, SameSite=Lax cookie, Secure behind TLS; maxAge < 0 deletes it.
func (srv *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: srv.gate.Secure(r), MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}
