package salesrecipe

import "time"

// DealStatus says whether a deal is still open or was won or lost.
type DealStatus string

// The deal statuses.
const (
	StatusOpen DealStatus = "open"
	StatusWon  DealStatus = "won"
	StatusLost DealStatus = "lost"
)

// Valid reports whether s is open, won or lost.
func (s DealStatus) Valid() bool {
	return s == StatusOpen || s == StatusWon || s == StatusLost
}

// Closed reports whether s is won or lost.
func (s DealStatus) Closed() bool {
	return s == StatusWon || s == StatusLost
}

// UnknownStage is the stage of an inferred version: a deal known only by its latest row was open before it, in a
// stage nobody recorded. It is reserved: a stages file or a deal row may not name it.
const UnknownStage = "(unknown)"

// Deal is one version of a deal: its state as of UpdatedAt. CreatedAt is zero when the source did not say (the
// store then uses the deal's first known time) and CloseDate is zero when there is no expected close date.
type Deal struct {
	ID        string
	RepID     string
	AccountID string
	Stage     string
	Status    DealStatus
	Amount    float64
	CreatedAt time.Time
	CloseDate time.Time
	ClosedAt  time.Time
	UpdatedAt time.Time
	// Inferred marks a version nobody recorded: the open state, from its creation, of a deal known only by a later
	// row (see UnknownStage).
	Inferred bool `json:",omitempty"`
	// Source is where the opportunity came from or its type (inbound, referral, ...), when the export says; a
	// deals-only firm's recipe learns one input per source (see forecast.NewOpportunityKind).
	Source string `json:",omitempty"`
}

// Validate reports every rule the deal version breaks.
func (d Deal) Validate() error {
	var p problems
	p.id("deal_id", d.ID)
	p.id("rep_id", d.RepID)
	p.optionalID("account_id", d.AccountID)
	p.optionalID("source", d.Source)
	p.id("stage", d.Stage)
	if d.Stage == UnknownStage && !d.Inferred {
		p.add("stage", d.Stage, "reserved for the stage of inferred versions")
	}
	p.amount("amount", d.Amount)
	p.unknownableTime("created_at", d.CreatedAt)
	p.unknownableTime("close_date", d.CloseDate)
	d.validateStatus(&p)
	d.validateUpdatedAt(&p)
	return p.err()
}

func (d Deal) validateStatus(p *problems) {
	switch {
	case !d.Status.Valid():
		p.add("status", string(d.Status), "want open, won or lost")
	case d.Status.Closed() && d.ClosedAt.IsZero():
		p.add("closed_at", "", "required when status is "+string(d.Status))
	case !d.Status.Closed() && !d.ClosedAt.IsZero():
		p.add("closed_at", formatTime(d.ClosedAt), "must be empty when status is open")
	case !InTimeRange(d.ClosedAt):
		p.optionalTime("closed_at", d.ClosedAt)
	case closedBeforeCreated(d.ClosedAt, d.CreatedAt):
		p.add("closed_at", formatTime(d.ClosedAt), "before created_at "+formatTime(d.CreatedAt)+"; a deal cannot close before it was created")
	}
}

func (d Deal) validateUpdatedAt(p *problems) {
	switch {
	case d.UpdatedAt.IsZero():
		p.add("updated_at", "", "required")
	case !InTimeRange(d.UpdatedAt):
		p.optionalTime("updated_at", d.UpdatedAt)
	case !d.CreatedAt.IsZero() && d.UpdatedAt.Before(d.CreatedAt):
		p.add("updated_at", formatTime(d.UpdatedAt), "before created_at "+formatTime(d.CreatedAt))
	}
}

// closedBeforeCreated reports whether a deal closed before the calendar day it was created on.
// A close given as a bare date is midnight of that day in the file's time zone, up to a day before
// a creation time of the same day, so only a close more than a day earlier is a contradiction.
func closedBeforeCreated(closed, created time.Time) bool {
	return !closed.IsZero() && !created.IsZero() && created.Sub(closed) >= 24*time.Hour
}
