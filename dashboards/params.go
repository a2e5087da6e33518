package dashboards

import (
	"fmt"
	"net/url"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// params is the period and as-of moment every page and API call is about.
type params struct {
	// period is the selected period; the current month by default.
	period salesrecipe.Period
	// asOf is the moment the numbers are known at: the end of the chosen day,
	// or now (rounded down to the server's freshness) by default; never later than now.
	asOf time.Time
	// asOfText is the as_of parameter as given ("" for now).
	asOfText string
	// now is set when no as_of was given or it is later than now: answers then
	// follow the clock and are refreshed in the background.
	now bool
}

// parseParams reads period (2026-11, 2026-Q4, 2026-W48) and as_of (2026-11-20 or RFC 3339).
func (s *Server) parseParams(q url.Values) (params, error) {
	now := s.cfg.Now().UTC()
	rounded := now.Truncate(s.cfg.Freshness)
	p := params{asOf: rounded, asOfText: q.Get("as_of"), now: true}
	if p.asOfText != "" {
		t, err := parseAsOf(p.asOfText)
		if err != nil {
			return p, err
		}
		if err := inRange("as_of", p.asOfText, t); err != nil {
			return p, err
		}
		if t.Before(now) {
			p.asOf, p.now = t, false
		}
	}
	p.period = salesrecipe.NewPeriod(salesrecipe.GrainMonth, p.asOf)
	if text := q.Get("period"); text != "" {
		per, err := salesrecipe.ParsePeriod(text)
		if err != nil {
			return p, err
		}
		if err := inRange("period", text, per.Start); err != nil {
			return p, err
		}
		p.period = per
	}
	return p, nil
}

// The years a period or as-of time may fall in: the store's dates reach from
// 1900 to 2299, and backtests look years back from the selection.
const minYear, maxYear = 1971, 2199

// inRange refuses a parameter whose time lies outside minYear..maxYear.
func inRange(name, text string, t time.Time) error {
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		return fmt.Errorf("%s %q: out of range; want a time between %d and %d", name, text, minYear, maxYear)
	}
	return nil
}

// parseAsOf reads a day (its last millisecond) or an RFC 3339 time.
func parseAsOf(s string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Millisecond), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("as_of %q: want YYYY-MM-DD or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// key identifies the selection in cache keys; "now" selections share one key
// whose answer is refreshed as the clock moves.
func (p params) key() string {
	if p.now {
		return p.period.String() + "\x00now"
	}
	return p.period.String() + "\x00" + p.asOf.Format(time.RFC3339Nano)
}

// current returns the request with a "now" selection moved to the clock's
// present moment: what a background refresh computes for.
func (s *Server) current(req *request) *request {
	if !req.q.now {
		return req
	}
	r := *req
	r.q.asOf = s.cfg.Now().UTC().Truncate(s.cfg.Freshness)
	return &r
}

// values returns the selection as query parameters, with as_of pinned to the
// moment the answer was computed for, so a CSV matches the page it came from.
func (p params) values() url.Values {
	v := url.Values{}
	v.Set("period", p.period.String())
	v.Set("as_of", p.asOf.Format(time.RFC3339Nano))
	return v
}

// with returns the selection moved to another period, keeping the as_of the user chose.
func (p params) with(per salesrecipe.Period) url.Values {
	v := url.Values{}
	v.Set("period", per.String())
	if p.asOfText != "" {
		v.Set("as_of", p.asOfText)
	}
	return v
}

// asOfDay is the as-of day for the date input.
func (p params) asOfDay() string { return p.asOf.Format(time.DateOnly) }
