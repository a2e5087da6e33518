package model

import (
	"fmt"
	"time"
)

// Grain is the length of a period: week, month or quarter.
type Grain string

// The supported grains.
const (
	Week    Grain = "week"
	Month   Grain = "month"
	Quarter Grain = "quarter"
)

// orDefault returns the grain, month when empty.
func (g Grain) orDefault() Grain {
	if g == "" {
		return Month
	}
	return g
}

// Validate reports an unknown grain.
func (g Grain) Validate() error {
	switch g.orDefault() {
	case Week, Month, Quarter:
		return nil
	}
	return fmt.Errorf("model: unknown grain %q: want week, month or quarter", string(g))
}

// Start returns the start of the period containing t (weeks start on Monday), in t's location.
func (g Grain) Start(t time.Time) time.Time {
	y, m, d := t.Date()
	switch g.orDefault() {
	case Week:
		day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case Quarter:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
}

// End returns the exclusive end of the period containing t.
func (g Grain) End(t time.Time) time.Time {
	s := g.Start(t)
	switch g.orDefault() {
	case Week:
		return s.AddDate(0, 0, 7)
	case Quarter:
		return s.AddDate(0, 3, 0)
	}
	return s.AddDate(0, 1, 0)
}
