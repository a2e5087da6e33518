package salesrecipe

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Grain is the length of a reporting period.
type Grain string

// The grains a period can have.
const (
	GrainWeek    Grain = "week"
	GrainMonth   Grain = "month"
	GrainQuarter Grain = "quarter"
)

// Valid reports whether g is one of the known grains.
func (g Grain) Valid() bool {
	return g == GrainWeek || g == GrainMonth || g == GrainQuarter
}

// ParseGrain reads "week", "month" or "quarter".
func ParseGrain(s string) (Grain, error) {
	g := Grain(s)
	if !g.Valid() {
		return "", fmt.Errorf("grain %q: want week, month or quarter", s)
	}
	return g, nil
}

// Period is one ISO week, calendar month or calendar quarter, starting at UTC midnight.
type Period struct {
	Grain Grain
	Start time.Time
}

// NewPeriod returns the period of the given grain containing t, read in UTC; it panics on an invalid grain.
func NewPeriod(grain Grain, t time.Time) Period {
	y, m, d := t.UTC().Date()
	switch grain {
	case GrainWeek:
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		back := (int(day.Weekday()) + 6) % 7
		return Period{Grain: grain, Start: day.AddDate(0, 0, -back)}
	case GrainMonth:
		return Period{Grain: grain, Start: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)}
	case GrainQuarter:
		first := time.Month((int(m)-1)/3*3 + 1)
		return Period{Grain: grain, Start: time.Date(y, first, 1, 0, 0, 0, 0, time.UTC)}
	}
	panic(fmt.Sprintf("salesrecipe: NewPeriod with invalid grain %q", grain))
}

var errPeriodSyntax = errors.New("want YYYY-MM, YYYY-Qn or YYYY-Wnn")

// ParsePeriod reads a month "2026-11", a quarter "2026-Q4" or an ISO week "2026-W48".
func ParsePeriod(s string) (Period, error) {
	p, err := parsePeriod(s)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: %w", s, err)
	}
	return p, nil
}

func parsePeriod(s string) (Period, error) {
	if len(s) < 6 || s[4] != '-' {
		return Period{}, errPeriodSyntax
	}
	year, ok := digits(s[:4])
	if !ok {
		return Period{}, errPeriodSyntax
	}
	rest := s[5:]
	switch {
	case len(rest) == 2 && rest[0] >= '0' && rest[0] <= '9':
		return monthPeriod(year, rest)
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q'):
		return quarterPeriod(year, rest[1:])
	case len(rest) == 3 && (rest[0] == 'W' || rest[0] == 'w'):
		return weekPeriod(year, rest[1:])
	}
	return Period{}, errPeriodSyntax
}

func monthPeriod(year int, s string) (Period, error) {
	m, ok := digits(s)
	if !ok || m < 1 || m > 12 {
		return Period{}, errors.New("month must be 01 to 12")
	}
	return Period{Grain: GrainMonth, Start: time.Date(year, time.Month(m), 1, 0, 0, 0, 0, time.UTC)}, nil
}

func quarterPeriod(year int, s string) (Period, error) {
	q, ok := digits(s)
	if !ok || q < 1 || q > 4 {
		return Period{}, errors.New("quarter must be Q1 to Q4")
	}
	return Period{Grain: GrainQuarter, Start: time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)}, nil
}

func weekPeriod(year int, s string) (Period, error) {
	w, ok := digits(s)
	if !ok || w < 1 || w > isoWeeks(year) {
		return Period{}, fmt.Errorf("ISO year %d has weeks W01 to W%02d", year, isoWeeks(year))
	}
	return Period{Grain: GrainWeek, Start: isoWeekOne(year).AddDate(0, 0, 7*(w-1))}, nil
}

// isoWeekOne returns the Monday of ISO week 1, the week holding January 4.
func isoWeekOne(year int) time.Time {
	return NewPeriod(GrainWeek, time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)).Start
}

// isoWeeks returns 52 or 53, the number of ISO weeks in year.
func isoWeeks(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, s != ""
}

// String renders the period the way ParsePeriod reads it.
func (p Period) String() string {
	switch p.Grain {
	case GrainWeek:
		y, w := p.Start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case GrainMonth:
		return p.Start.Format("2006-01")
	case GrainQuarter:
		return fmt.Sprintf("%04d-Q%d", p.Start.Year(), (int(p.Start.Month())+2)/3)
	}
	return "invalid period " + strconv.Quote(string(p.Grain))
}

// MarshalText renders the period as String does.
func (p Period) MarshalText() ([]byte, error) {
	if !p.Grain.Valid() {
		return nil, fmt.Errorf("marshal period: invalid grain %q", p.Grain)
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads the period as ParsePeriod does.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// End returns the exclusive end of the period, the start of the next one.
func (p Period) End() time.Time {
	return p.shift(1)
}

// Next returns the period that follows p.
func (p Period) Next() Period {
	return Period{Grain: p.Grain, Start: p.shift(1)}
}

// Prev returns the period that precedes p.
func (p Period) Prev() Period {
	return Period{Grain: p.Grain, Start: p.shift(-1)}
}

func (p Period) shift(n int) time.Time {
	switch p.Grain {
	case GrainWeek:
		return p.Start.AddDate(0, 0, 7*n)
	case GrainMonth:
		return p.Start.AddDate(0, n, 0)
	case GrainQuarter:
		return p.Start.AddDate(0, 3*n, 0)
	}
	return p.Start
}

// Contains reports whether t falls in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End())
}

// Days returns the number of days in the period.
func (p Period) Days() int {
	return int(p.End().Sub(p.Start).Hours()) / 24
}

// PeriodsBetween lists, in order, the periods of the grain that overlap [from, to).
func PeriodsBetween(grain Grain, from, to time.Time) []Period {
	if !to.After(from) {
		return nil
	}
	var out []Period
	for p := NewPeriod(grain, from); p.Start.Before(to); p = p.Next() {
		out = append(out, p)
	}
	return out
}
