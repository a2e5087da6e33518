package queries

import "time"

// ActivityCount is the number of activities of one kind a rep did in one period.
type ActivityCount struct {
	// RepID is the rep.
	RepID string
	// Period is the first day of the period.
	Period time.Time
	// Kind is the activity kind.
	Kind string
	// N is the exact count.
	N uint64
}
