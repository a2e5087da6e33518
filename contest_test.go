package salesrecipe

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestContestValidate(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	ok := Contest{ID: "march-blitz", Name: "March blitz", Period: "2026-03", From: d("2026-03-01"), To: d("2026-03-31"),
		Metric: MetricRecipePoints, Teams: []string{"East", "West"}}
	with := func(f func(*Contest)) Contest { c := ok; f(&c); return c }
	runValidate(t, []validateCase{
		{"valid", ok, ""},
		{"one day", with(func(c *Contest) { c.To = c.From }), ""},
		{"a whole leap year", with(func(c *Contest) { c.From, c.To = d("2028-01-01"), d("2028-12-31") }), ""},
		{"nothing", Contest{}, "id: required; name: required; from: required; to: required; " +
			`metric: want recipe_points, new_pipeline or attainment; teams: name at least one team`},
		{"id with capitals", with(func(c *Contest) { c.ID = "March" }),
			`id: value "March": want up to 40 lower-case letters, digits and dashes, not starting with a dash`},
		{"id starting with a dash", with(func(c *Contest) { c.ID = "-x" }),
			`id: value "-x": want up to 40 lower-case letters, digits and dashes, not starting with a dash`},
		{"id too long", with(func(c *Contest) { c.ID = strings.Repeat("a", 41) }),
			`id: value "` + strings.Repeat("a", 41) + `": want up to 40 lower-case letters, digits and dashes, not starting with a dash`},
		{"name with a line break", with(func(c *Contest) { c.Name = "a\nb" }),
			`name: value "a\nb": want at most 100 characters and no control characters`},
		{"name of 101 characters", with(func(c *Contest) { c.Name = strings.Repeat("é", 101) }),
			`name: value "` + strings.Repeat("é", 101) + `": want at most 100 characters and no control characters`},
		{"to before from", with(func(c *Contest) { c.To = d("2026-02-28") }), `to: value "2026-02-28": before from (2026-03-01)`},
		{"longer than a year", with(func(c *Contest) { c.To = d("2027-03-02") }),
			`to: value "2027-03-02": the contest would last 367 days; at most 366`},
		{"from not midnight", with(func(c *Contest) { c.From = c.From.Add(time.Hour) }),
			`from: value "2026-03-01T01:00:00Z": want a day at 00:00 UTC`},
		{"unknown metric", with(func(c *Contest) { c.Metric = "calls" }), `metric: value "calls": want recipe_points, new_pipeline or attainment`},
		{"team twice", with(func(c *Contest) { c.Teams = []string{"East", "East"} }), `teams: value "East": listed twice`},
		{"empty team", with(func(c *Contest) { c.Teams = []string{""} }), `teams: required`},
	})
}

func TestProrateQuotasOverDays(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	qs := []Quota{
		{RepID: "m", Period: GrainMonth, PeriodStart: d("2026-03-01"), Amount: 3100},
		{RepID: "m", Period: GrainMonth, PeriodStart: d("2026-04-01"), Amount: 3000},
		{RepID: "q", Period: GrainQuarter, PeriodStart: d("2026-01-01"), Amount: 9000},
	}
	// March 22 to April 10: 10 days of March's 31, 10 of April's 30, 10 of Q1's 90 days.
	got := ProrateQuotas(qs, d("2026-03-22"), d("2026-04-11"))
	if math.Abs(got["m"]-(1000+1000)) > 1e-9 || math.Abs(got["q"]-1000) > 1e-9 {
		t.Errorf("got %v, want m 2000 and q 1000", got)
	}
	if got := ProrateQuotas(qs, d("2026-07-01"), d("2026-08-01")); len(got) != 0 {
		t.Errorf("no quota overlaps July: %v", got)
	}
}
