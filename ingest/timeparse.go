package ingest

import (
	"strconv"
	"time"
)

const notATime = "not a date (want RFC 3339, YYYY-MM-DD HH:MM:SS, YYYY-MM-DD or Unix seconds)"

// ParseTime reads RFC 3339, "YYYY-MM-DD HH:MM[:SS[.frac]]", "YYYY-MM-DDTHH:MM:SS" without
// offset, "YYYY-MM-DD", or Unix seconds or milliseconds (digits only, told apart by magnitude).
//
// Times without an offset are read in loc (UTC when nil); the result is in UTC. Errors are *ValueError.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	v := trimSpace(s)
	if v == "" {
		return time.Time{}, &ValueError{What: "time", Value: s, Reason: "empty"}
	}
	if isDigits(v) {
		return parseUnix(s, v)
	}
	t, ok := parseCalendar(v, loc)
	if !ok {
		return time.Time{}, &ValueError{What: "time", Value: s, Reason: notATime}
	}
	return t.UTC(), nil
}

// ParseDate reads a value as ParseTime does and returns UTC midnight of its calendar day in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := ParseTime(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// Unix values below 1e11 are seconds (up to year 5138); from there to 1e14 milliseconds.
const (
	unixMillisFrom = 100_000_000_000
	unixMillisTo   = 100_000_000_000_000
)

func parseUnix(orig, v string) (time.Time, error) {
	if len(v) == 8 {
		if _, ok := parseCalendar(v[:4]+"-"+v[4:6]+"-"+v[6:], time.UTC); ok {
			return time.Time{}, &ValueError{What: "time", Value: orig,
				Reason: "8 digits look like YYYYMMDD; write " + v[:4] + "-" + v[4:6] + "-" + v[6:] + " (or 10-digit Unix seconds)"}
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n >= unixMillisTo {
		return time.Time{}, &ValueError{What: "time", Value: orig, Reason: "too many digits for Unix seconds or milliseconds"}
	}
	if n >= unixMillisFrom {
		return time.UnixMilli(n).UTC(), nil
	}
	return time.Unix(n, 0).UTC(), nil
}

// parseCalendar reads the date forms by hand; it is several times faster than time.Parse.
func parseCalendar(s string, loc *time.Location) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := num(s[0:4])
	mo, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc), true
	}
	if s[10] != ' ' && s[10] != 'T' && s[10] != 't' {
		return time.Time{}, false
	}
	return parseClock(s, s[10] != ' ', y, time.Month(mo), d, loc)
}

// parseClock reads "HH:MM[:SS[.frac]][zone]" from s[11:]; a zone is allowed only after 'T' with seconds.
func parseClock(s string, isoT bool, y int, mo time.Month, d int, loc *time.Location) (time.Time, bool) {
	if len(s) < 16 || s[13] != ':' {
		return time.Time{}, false
	}
	h, ok1 := num(s[11:13])
	mi, ok2 := num(s[14:16])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	if len(s) == 16 {
		return time.Date(y, mo, d, h, mi, 0, 0, loc), !isoT
	}
	if len(s) < 19 || s[16] != ':' {
		return time.Time{}, false
	}
	sec, ok := num(s[17:19])
	if !ok || sec > 59 {
		return time.Time{}, false
	}
	nsec, rest, ok := fraction(s[19:])
	if !ok {
		return time.Time{}, false
	}
	if rest == "" {
		return time.Date(y, mo, d, h, mi, sec, nsec, loc), true
	}
	zone, ok := offset(rest)
	if !ok || !isoT {
		return time.Time{}, false
	}
	return time.Date(y, mo, d, h, mi, sec, nsec, zone), true
}

// fraction reads an optional ".digits" (1 to 9 digits) and returns nanoseconds and what follows.
func fraction(s string) (int, string, bool) {
	if s == "" || s[0] != '.' {
		return 0, s, true
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 || i > 10 {
		return 0, s, false
	}
	n, _ := num(s[1:i])
	for k := i; k < 10; k++ {
		n *= 10
	}
	return n, s[i:], true
}

// offset reads "Z" or "±HH:MM" (hours 0 to 23, minutes 0 to 59).
func offset(s string) (*time.Location, bool) {
	if s == "Z" || s == "z" {
		return time.UTC, true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return nil, false
	}
	h, ok1 := num(s[1:3])
	m, ok2 := num(s[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return nil, false
	}
	secs := (h*60 + m) * 60
	if s[0] == '-' {
		secs = -secs
	}
	if secs == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", secs), true
}

func num(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// trimSpace trims ASCII spaces, tabs and line breaks without allocating.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
