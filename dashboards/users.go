package dashboards

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Role is what a user may do.
type Role string

// The roles of the users file.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleRep     Role = "rep"
	RoleIngest  Role = "ingest"
	// RoleMetrics reads /metrics of its own firm only.
	RoleMetrics Role = "metrics"
	// RoleOperator reads /metrics of every firm and of the process.
	RoleOperator Role = "operator"
)

// User is one entry of the users file.
type User struct {
	// Name is shown on pages.
	Name string `yaml:"name"`
	// Email maps a reverse proxy's header to the user.
	Email string `yaml:"email"`
	// Token is the secret in clear; TokenSHA256 is its sha256 in hex. One of them is set.
	Token string `yaml:"token"`
	// TokenSHA256 is the hex sha256 of the secret.
	TokenSHA256 string `yaml:"token_sha256"`
	// Role is admin, manager, rep, ingest, metrics or operator.
	Role Role `yaml:"role"`
	// Firm is the one firm the user belongs to.
	Firm string `yaml:"firm"`
	// Teams limits a manager to these teams; empty means the whole firm.
	Teams []string `yaml:"teams"`
	// RepID is a rep's own id.
	RepID string `yaml:"rep_id"`

	hash [32]byte
	id   string
}

// Users is a loaded users file.
type Users struct {
	list    []*User
	byHash  map[[32]byte]*User
	byEmail map[string]*User
	byID    map[string]*User
}

// ErrUnauthenticated reports a request with no valid credentials.
var ErrUnauthenticated = errors.New("missing or unknown token")

// LoadUsers reads and checks a users file.
func LoadUsers(path string) (*Users, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	return ParseUsers(b, path)
}

// ParseUsers checks a users file's content; errors name the entry and field.
func ParseUsers(data []byte, source string) (*Users, error) {
	var file struct {
		Users []*User `yaml:"users"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	us := &Users{byHash: map[[32]byte]*User{}, byEmail: map[string]*User{}, byID: map[string]*User{}}
	var errs []error
	for i, u := range file.Users {
		if err := us.add(u); err != nil {
			errs = append(errs, fmt.Errorf("%s: users[%d] (%s): %w", source, i, u.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return us, nil
}

// add checks one user and indexes it.
func (us *Users) add(u *User) error {
	if u.Firm == "" {
		u.Firm = "default"
	}
	if err := u.check(); err != nil {
		return err
	}
	h, hasToken, err := u.tokenHash()
	if err != nil {
		return err
	}
	// A user with only an e-mail has no token at all: it signs in only through
	// the trusted proxy's header and never matches a token or a session.
	if hasToken {
		if _, dup := us.byHash[h]; dup {
			return errors.New("token: the same token is given to another user")
		}
		u.hash = h
		id := sha256.Sum256(append([]byte("salesrecipe session id\x00"), h[:]...))
		u.id = hex.EncodeToString(id[:16])
		us.byHash[h] = u
		us.byID[u.id] = u
	}
	if u.Email != "" {
		us.byEmail[strings.ToLower(u.Email)] = u
	}
	us.list = append(us.list, u)
	return nil
}

// check validates the role's fields.
func (u *User) check() error {
	switch u.Role {
	case RoleAdmin, RoleIngest, RoleManager, RoleMetrics:
	case RoleOperator:
		if u.Firm != "default" {
			return errors.New("firm: an operator reads every firm; leave firm out")
		}
	case RoleRep:
		if u.RepID == "" {
			return errors.New("rep_id: required for role rep")
		}
	default:
		return fmt.Errorf("role: %q is not admin, manager, rep, ingest, metrics or operator", u.Role)
	}
	if u.Role != RoleManager && len(u.Teams) > 0 {
		return errors.New("teams: only managers have teams")
	}
	return nil
}

// tokenHash returns the sha256 of the user's token; ok is false for a user
// with only an e-mail (signed in by the trusted proxy's header).
func (u *User) tokenHash() (h [32]byte, ok bool, err error) {
	switch {
	case u.Token != "" && u.TokenSHA256 != "":
		return h, false, errors.New("token: give token or token_sha256, not both")
	case u.Token != "":
		if err := checkStrength(u.Token); err != nil {
			return h, false, err
		}
		return sha256.Sum256([]byte(u.Token)), true, nil
	case u.TokenSHA256 != "":
		b, err := hex.DecodeString(u.TokenSHA256)
		if err != nil || len(b) != 32 {
			return h, false, errors.New("token_sha256: want 64 hex digits (sha256sum of the token)")
		}
		copy(h[:], b)
		return h, true, nil
	}
	if u.Email == "" || !u.signsIn() {
		return h, false, errors.New("token: give token or token_sha256 (only admins, managers and reps may have just an email, for --auth-proxy-header)")
	}
	return h, false, nil
}

// checkStrength refuses tokens shorter than 128 bits: 32 hex digits, or 22
// characters of a larger alphabet (base64 is 6 bits each).
func checkStrength(token string) error {
	isHex := strings.Trim(strings.ToLower(token), "0123456789abcdef") == ""
	if (isHex && len(token) < 32) || len(token) < 22 {
		return fmt.Errorf("token: %d characters is less than 128 bits; want 32 hex digits or 22 random characters (openssl rand -hex 16)", len(token))
	}
	return nil
}

// key identifies the user in rate limits: the token's id, or the e-mail of a proxy user.
func (u *User) key() string {
	if u.id != "" {
		return u.id
	}
	return "email:" + strings.ToLower(u.Email)
}

// signsIn reports whether the user may use the dashboards and the JSON API.
func (u *User) signsIn() bool {
	return u.Role == RoleAdmin || u.Role == RoleManager || u.Role == RoleRep
}

// ByToken returns the user whose token this is; users with only an e-mail never match.
func (us *Users) ByToken(token string) (*User, bool) {
	if token == "" {
		return nil, false
	}
	u, ok := us.byHash[sha256.Sum256([]byte(token))]
	return u, ok
}

// ByEmail returns the user with this e-mail, case-insensitively.
func (us *Users) ByEmail(email string) (*User, bool) {
	u, ok := us.byEmail[strings.ToLower(strings.TrimSpace(email))]
	return u, ok
}

// byIDLookup returns the user a session names: an id derived from the token's
// hash, so a session ends when the user's token changes.
func (us *Users) byIDLookup(id string) (*User, bool) {
	u, ok := us.byID[id]
	return u, ok
}

// All returns the users in file order.
func (us *Users) All() []*User {
	return slices.Clone(us.list)
}

// Bearer returns the user of a request's `Authorization: Bearer` token.
func (us *Users) Bearer(r *http.Request) (*User, error) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return nil, ErrUnauthenticated
	}
	u, ok := us.ByToken(strings.TrimSpace(token))
	if !ok {
		return nil, ErrUnauthenticated
	}
	return u, nil
}

// CanIngest reports whether the user may load data into firm.
func (u *User) CanIngest(firm string) bool {
	return u.Firm == firm && (u.Role == RoleIngest || u.Role == RoleAdmin)
}

// ManagesTeam reports whether a manager's teams include team (no teams: the whole firm).
func (u *User) ManagesTeam(team string) bool {
	return u.Role == RoleAdmin || (u.Role == RoleManager && (len(u.Teams) == 0 || slices.Contains(u.Teams, team)))
}
