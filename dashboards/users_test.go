package dashboards

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/ingest"
)

const goodUsers = `
users:
  - name: Ann Lee
    token: "manager-token-0123456789"
    role: manager
    firm: acme
    teams: [East]
  - name: Bob Ray
    token_sha256: "%s"
    role: rep
    firm: acme
    rep_id: r0001
  - name: Loader
    token: "ingest-token-0123456789"
    role: ingest
    firm: acme
  - name: Proxy Admin
    email: Admin@Example.com
    role: admin
`

func TestParseUsers(t *testing.T) {
	sum := sha256.Sum256([]byte("rep-token-0123456789"))
	us, err := ParseUsers([]byte(strings.Replace(goodUsers, "%s", hex.EncodeToString(sum[:]), 1)), "users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token, name string
		ok          bool
	}{
		{"manager-token-0123456789", "Ann Lee", true},
		{"rep-token-0123456789", "Bob Ray", true},
		{"ingest-token-0123456789", "Loader", true},
		{"wrong-token-0123456789", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		u, ok := us.ByToken(tt.token)
		if ok != tt.ok || (ok && u.Name != tt.name) {
			t.Errorf("ByToken(%q) = %v, %v", tt.token, u, ok)
		}
	}
	if u, ok := us.ByEmail("admin@example.com"); !ok || u.Role != RoleAdmin || u.Firm != "default" {
		t.Errorf("ByEmail: %+v %v", u, ok)
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Authorization", "Bearer ingest-token-0123456789")
	if u, err := us.Bearer(r); err != nil || !u.CanIngest("acme") || u.CanIngest("other") {
		t.Errorf("Bearer: %+v %v", u, err)
	}
	ann, _ := us.ByToken("manager-token-0123456789")
	if !ann.ManagesTeam("East") || ann.ManagesTeam("West") || ann.CanIngest("acme") {
		t.Errorf("manager rights wrong: %+v", ann)
	}
}

func TestParseUsersErrorsNameEntryAndField(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown role", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    role: boss\n", `users[0] (X): role: "boss"`},
		{"rep without id", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    role: rep\n", "users[0] (X): rep_id: required"},
		{"short token", "users:\n  - name: X\n    token: \"short\"\n    role: admin\n", "token: 5 characters is less than 128 bits"},
		{"short hex token", "users:\n  - name: X\n    token: \"0123456789abcdef0123456789\"\n    role: admin\n", "token: 26 characters is less than 128 bits"},
		{"ingest with only an e-mail", "users:\n  - name: X\n    email: x@example.com\n    role: ingest\n", "only admins, managers and reps may have just an email"},
		{"operator of one firm", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    role: operator\n    firm: acme\n", "an operator reads every firm"},
		{"bad hash", "users:\n  - name: X\n    token_sha256: \"zz\"\n    role: admin\n", "token_sha256: want 64 hex"},
		{"both", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    token_sha256: \"00\"\n    role: admin\n", "not both"},
		{"duplicate", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    role: admin\n  - name: Y\n    token: \"0123456789abcdefghijklmn\"\n    role: admin\n", "users[1] (Y): token: the same token"},
		{"unknown field", "users:\n  - name: X\n    tokn: \"0123456789abcdefghijklmn\"\n    role: admin\n", "field tokn not found"},
		{"teams on rep", "users:\n  - name: X\n    token: \"0123456789abcdefghijklmn\"\n    role: rep\n    rep_id: r1\n    teams: [A]\n", "teams: only managers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUsers([]byte(tt.yaml), "users.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestIngestAuthorizer(t *testing.T) {
	us, err := ParseUsers([]byte(strings.Replace(goodUsers, "%s", strings.Repeat("ab", 32), 1)), "users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	auth := IngestAuthorizer(us)
	tests := []struct {
		token, requested, firm string
		err                    error
	}{
		{"ingest-token-0123456789", "", "acme", nil},
		{"ingest-token-0123456789", "acme", "acme", nil},
		{"ingest-token-0123456789", "globex", "", ingest.ErrForbidden},
		{"manager-token-0123456789", "", "", ingest.ErrForbidden},
		{"nope-nope-nope-nope", "", "", ingest.ErrUnauthenticated},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/api/v1/ingest/reps", nil)
		r.Header.Set("Authorization", "Bearer "+tt.token)
		firm, err := auth(r, tt.requested)
		if firm != tt.firm || !errors.Is(err, tt.err) {
			t.Errorf("%s/%s: %q, %v; want %q, %v", tt.token, tt.requested, firm, err, tt.firm, tt.err)
		}
	}
	if _, err := IngestAuthorizer(nil)(httptest.NewRequest("POST", "/", nil), ""); !errors.Is(err, ingest.ErrUnauthenticated) {
		t.Errorf("no users file: %v", err)
	}
}
