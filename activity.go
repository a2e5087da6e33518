package salesrecipe

import "time"

// Activity is one thing a rep did: a call, an email, a meeting or any kind the firm counts.
type Activity struct {
	ID         string
	RepID      string
	Kind       string
	OccurredAt time.Time
	AccountID  string
	DealID     string
}

// Validate reports every rule the activity breaks.
func (a Activity) Validate() error {
	var p problems
	p.id("activity_id", a.ID)
	p.id("rep_id", a.RepID)
	p.optionalID("account_id", a.AccountID)
	p.optionalID("deal_id", a.DealID)
	switch {
	case a.Kind == "":
		p.add("kind", "", "required")
	case !ValidKind(a.Kind):
		p.add("kind", a.Kind, "want a lowercase word: a letter, then letters, digits or _")
	}
	p.requiredTime("occurred_at", a.OccurredAt)
	return p.err()
}

// ValidKind reports whether s is a lowercase word matching [a-z][a-z0-9_]*.
func ValidKind(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
