package synth

import "time"

const (
	workStartSec = 8 * 3600  // working time starts at 08:00 UTC
	workSec      = 10 * 3600 // working seconds per weekday, 08:00-18:00 UTC
	daySec       = 86400
)

// month is one calendar month with its weekday working time.
type month struct {
	cal   int     // calendar month, 0 = January
	first int64   // unix seconds at 00:00 UTC of the first day
	days  []int64 // unix seconds at 08:00 UTC of each weekday
	full  int64   // working seconds in the whole month
	avail int64   // working seconds before the end ("now")
}

// at maps a working-second offset in the month to unix seconds.
func (m *month) at(u int64) int64 {
	return m.days[u/workSec] + u%workSec
}

// calendar holds the history months followed by a few future months for late closes.
type calendar struct {
	months []month
	hist   int
	end    int64
}

func startOf(end time.Time, months int) time.Time {
	e := end.UTC().Add(-time.Nanosecond)
	return time.Date(e.Year(), e.Month()-time.Month(months-1), 1, 0, 0, 0, 0, time.UTC)
}

func newCalendar(start time.Time, hist, future int, end int64) calendar {
	c := calendar{months: make([]month, hist+future), hist: hist, end: end}
	for i := range c.months {
		c.months[i] = newMonth(start.AddDate(0, i, 0), end)
	}
	return c
}

func newMonth(first time.Time, end int64) month {
	m := month{cal: int(first.Month()) - 1, first: first.Unix()}
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		ws := d.Unix() + workStartSec
		m.days = append(m.days, ws)
		m.avail += min(workSec, max(0, end-ws))
	}
	m.full = int64(len(m.days)) * workSec
	return m
}

// availShare is the share of the month's working time before the end.
func (m *month) availShare() float64 {
	return float64(m.avail) / float64(m.full)
}

func dayStart(unix int64) int64 {
	return floorDiv(unix, daySec) * daySec
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
