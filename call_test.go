package salesrecipe

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestCallValidate(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	dec, _ := ParsePeriod("2026-12")
	good := Call{Period: dec, RepID: "r0001", Team: "East", Commit: 40000, BestCase: 55000, SubmittedBy: "Ray", SubmittedAt: at}
	tests := []struct {
		name   string
		change func(*Call)
		field  string // "" when valid
	}{
		{"valid rep call", func(*Call) {}, ""},
		{"valid team call", func(c *Call) { c.RepID = "" }, ""},
		{"commit equals best case", func(c *Call) { c.Commit = 55000 }, ""},
		{"commit above best case", func(c *Call) { c.Commit = 60000 }, "commit"},
		{"negative commit", func(c *Call) { c.Commit = -1 }, "commit"},
		{"best case too large", func(c *Call) { c.BestCase = MaxAmount * 10 }, "best_case"},
		{"NaN best case", func(c *Call) { c.BestCase = math.NaN() }, "best_case"},
		{"fractions of a cent", func(c *Call) { c.Commit = 1.001 }, "commit"},
		{"no period", func(c *Call) { c.Period = Period{} }, "period"},
		{"neither rep nor team", func(c *Call) { c.RepID, c.Team = "", "" }, "rep_id"},
		{"control character in rep", func(c *Call) { c.RepID = "r\x00" }, "rep_id"},
		{"note too long", func(c *Call) { c.Note = strings.Repeat("é", MaxCallNote+1) }, "note"},
		{"no submitter", func(c *Call) { c.SubmittedBy = "" }, "submitted_by"},
		{"no time", func(c *Call) { c.SubmittedAt = time.Time{} }, "submitted_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid call refused: %v", err)
				}
				return
			}
			var fe FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want a problem with %s", err, tt.field)
			}
		})
	}
}

func TestLatestCallNeverLooksAhead(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
	calls := []Call{{Commit: 2, SubmittedAt: day(5)}, {Commit: 1, SubmittedAt: day(2)}, {Commit: 3, SubmittedAt: day(9)}}
	for _, tt := range []struct {
		at   time.Time
		want float64
		ok   bool
	}{{day(1), 0, false}, {day(2), 1, true}, {day(6), 2, true}, {day(20), 3, true}} {
		got, ok := LatestCall(calls, tt.at)
		if ok != tt.ok || got.Commit != tt.want {
			t.Errorf("at %s: got %v %v, want %v %v", tt.at, got.Commit, ok, tt.want, tt.ok)
		}
	}
}
