// Package salesrecipe owns the domain types of sales metrics (reps, teams, periods, quotas,
// stages, activities and deal versions) and their validation.
//
// It performs no I/O and imports only the standard library; every other package of the
// module may import it, and it must import none of them.
package salesrecipe

// Rep is a salesperson who owns deals, activities and quotas.
type Rep struct {
	ID        string
	Name      string
	Email     string
	Team      string
	ManagerID string
}

// Validate reports every rule the rep breaks: id and name are required, an email needs one @.
func (r Rep) Validate() error {
	var p problems
	p.id("rep_id", r.ID)
	p.optionalID("team", r.Team)
	p.optionalID("manager_id", r.ManagerID)
	p.required("name", r.Name)
	if r.Email != "" && !plausibleEmail(r.Email) {
		p.add("email", r.Email, "not an email address")
	}
	return p.err()
}

// Team is a group of reps under one manager.
type Team struct {
	Name      string
	ManagerID string
}

// Validate reports every rule the team breaks: the name is required.
func (t Team) Validate() error {
	var p problems
	p.id("team", t.Name)
	return p.err()
}

func plausibleEmail(s string) bool {
	at := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '@' && at >= 0:
			return false
		case c == '@':
			at = i
		case c <= ' ':
			return false
		}
	}
	return at > 0 && at < len(s)-1
}
