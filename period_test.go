package salesrecipe

import (
	"encoding/json"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestNewPeriod(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name  string
		grain Grain
		t     time.Time
		start time.Time
		str   string
	}{
		{"week mid-week", GrainWeek, time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC), day(2026, 11, 23), "2026-W48"},
		{"week on Monday", GrainWeek, day(2026, 11, 23), day(2026, 11, 23), "2026-W48"},
		{"week on Sunday", GrainWeek, time.Date(2026, 11, 29, 23, 59, 59, 0, time.UTC), day(2026, 11, 23), "2026-W48"},
		{"week belonging to next ISO year", GrainWeek, day(2024, 12, 31), day(2024, 12, 30), "2025-W01"},
		{"week belonging to previous ISO year", GrainWeek, day(2021, 1, 2), day(2020, 12, 28), "2020-W53"},
		{"month", GrainMonth, time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), day(2026, 2, 1), "2026-02"},
		{"month read in UTC", GrainMonth, time.Date(2026, 12, 1, 5, 0, 0, 0, tokyo), day(2026, 11, 1), "2026-11"},
		{"quarter first", GrainQuarter, day(2026, 3, 31), day(2026, 1, 1), "2026-Q1"},
		{"quarter last", GrainQuarter, day(2026, 10, 1), day(2026, 10, 1), "2026-Q4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPeriod(tt.grain, tt.t)
			if !p.Start.Equal(tt.start) || p.Start.Location() != time.UTC {
				t.Errorf("Start = %v, want %v UTC", p.Start, tt.start)
			}
			if p.String() != tt.str {
				t.Errorf("String() = %q, want %q", p.String(), tt.str)
			}
			if !p.Contains(tt.t) {
				t.Errorf("%v does not contain %v", p, tt.t)
			}
		})
	}
}

func TestNewPeriodPanicsOnInvalidGrain(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewPeriod with grain \"day\" did not panic")
		}
	}()
	NewPeriod("day", day(2026, 1, 1))
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in    string
		grain Grain
		start time.Time
		str   string
	}{
		{"2026-11", GrainMonth, day(2026, 11, 1), "2026-11"},
		{"2026-01", GrainMonth, day(2026, 1, 1), "2026-01"},
		{"2026-Q4", GrainQuarter, day(2026, 10, 1), "2026-Q4"},
		{"2026-q1", GrainQuarter, day(2026, 1, 1), "2026-Q1"},
		{"2026-W48", GrainWeek, day(2026, 11, 23), "2026-W48"},
		{"2026-W01", GrainWeek, day(2025, 12, 29), "2026-W01"},
		{"2020-W53", GrainWeek, day(2020, 12, 28), "2020-W53"},
		{"2025-w01", GrainWeek, day(2024, 12, 30), "2025-W01"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Grain != tt.grain || !p.Start.Equal(tt.start) {
				t.Errorf("got %s %v, want %s %v", p.Grain, p.Start, tt.grain, tt.start)
			}
			if p.String() != tt.str {
				t.Errorf("String() = %q, want %q", p.String(), tt.str)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `period "": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
		{"2026", `period "2026": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
		{"2026-13", `period "2026-13": month must be 01 to 12`},
		{"2026-00", `period "2026-00": month must be 01 to 12`},
		{"2026-Q5", `period "2026-Q5": quarter must be Q1 to Q4`},
		{"2026-W00", `period "2026-W00": ISO year 2026 has weeks W01 to W53`},
		{"2025-W53", `period "2025-W53": ISO year 2025 has weeks W01 to W52`},
		{"2026-11-01", `period "2026-11-01": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
		{"26-11", `period "26-11": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
		{"2026/11", `period "2026/11": want YYYY-MM, YYYY-Qn or YYYY-Wnn`},
		{"2026-1x", `period "2026-1x": month must be 01 to 12`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParsePeriod(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestPeriodArithmetic(t *testing.T) {
	tests := []struct {
		period            string
		end, next, prev   string
		days              int
		firstIn, firstOut time.Time
	}{
		{"2026-W01", "2026-01-05", "2026-W02", "2025-W52", 7, day(2026, 1, 4), day(2026, 1, 5)},
		{"2020-W53", "2021-01-04", "2021-W01", "2020-W52", 7, day(2021, 1, 3), day(2021, 1, 4)},
		{"2024-02", "2024-03-01", "2024-03", "2024-01", 29, day(2024, 2, 29), day(2024, 3, 1)},
		{"2026-12", "2027-01-01", "2027-01", "2026-11", 31, day(2026, 12, 31), day(2027, 1, 1)},
		{"2026-Q4", "2027-01-01", "2027-Q1", "2026-Q3", 92, day(2026, 12, 31), day(2027, 1, 1)},
		{"2026-Q1", "2026-04-01", "2026-Q2", "2025-Q4", 90, day(2026, 3, 31), day(2026, 4, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			p, err := ParsePeriod(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.End().Format(time.DateOnly); got != tt.end {
				t.Errorf("End() = %s, want %s", got, tt.end)
			}
			if got := p.Next().String(); got != tt.next {
				t.Errorf("Next() = %s, want %s", got, tt.next)
			}
			if got := p.Prev().String(); got != tt.prev {
				t.Errorf("Prev() = %s, want %s", got, tt.prev)
			}
			if p.Days() != tt.days {
				t.Errorf("Days() = %d, want %d", p.Days(), tt.days)
			}
			if !p.Contains(tt.firstIn) || !p.Contains(p.Start) {
				t.Errorf("%s should contain %v and its start", p, tt.firstIn)
			}
			if p.Contains(tt.firstOut) || p.Contains(p.Start.Add(-time.Nanosecond)) {
				t.Errorf("%s should not contain %v nor the instant before its start", p, tt.firstOut)
			}
		})
	}
}

func TestPeriodsBetween(t *testing.T) {
	tests := []struct {
		name     string
		grain    Grain
		from, to time.Time
		want     []string
	}{
		{"months partial ends", GrainMonth, time.Date(2026, 11, 15, 8, 0, 0, 0, time.UTC), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), []string{"2026-11", "2026-12", "2027-01"}},
		{"exclusive end on boundary", GrainMonth, day(2026, 11, 1), day(2027, 1, 1), []string{"2026-11", "2026-12"}},
		{"quarters", GrainQuarter, day(2026, 2, 1), day(2026, 7, 1), []string{"2026-Q1", "2026-Q2"}},
		{"weeks over new year", GrainWeek, day(2025, 12, 25), day(2026, 1, 6), []string{"2025-W52", "2026-W01", "2026-W02"}},
		{"empty when to equals from", GrainWeek, day(2026, 1, 1), day(2026, 1, 1), nil},
		{"empty when to before from", GrainMonth, day(2026, 2, 1), day(2026, 1, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PeriodsBetween(tt.grain, tt.from, tt.to)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i, p := range got {
				if p.String() != tt.want[i] {
					t.Errorf("period %d = %s, want %s", i, p, tt.want[i])
				}
			}
		})
	}
}

func TestPeriodText(t *testing.T) {
	in := struct{ P Period }{NewPeriod(GrainQuarter, day(2026, 11, 5))}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"P":"2026-Q4"}` {
		t.Errorf("json = %s", b)
	}
	var out struct{ P Period }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.P != in.P {
		t.Errorf("round trip = %v, want %v", out.P, in.P)
	}
	if _, err := json.Marshal(struct{ P Period }{}); err == nil {
		t.Error("marshalling the zero Period should fail")
	}
}

func TestParseGrain(t *testing.T) {
	for _, s := range []string{"week", "month", "quarter"} {
		if g, err := ParseGrain(s); err != nil || string(g) != s {
			t.Errorf("ParseGrain(%q) = %q, %v", s, g, err)
		}
	}
	for _, s := range []string{"", "Month", "year", "day"} {
		if _, err := ParseGrain(s); err == nil {
			t.Errorf("ParseGrain(%q) should fail", s)
		}
	}
}
