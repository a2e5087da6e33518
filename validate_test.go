package salesrecipe

import (
	"errors"
	"math"
	"testing"
	"time"
	"unicode"
)

type validator interface{ Validate() error }

type validateCase struct {
	name string
	v    validator
	want string // the whole error text; empty when valid
}

func runValidate(t *testing.T, tests []validateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q\n                 want %q", got, tt.want)
			}
		})
	}
}

func TestRepValidate(t *testing.T) {
	ok := Rep{ID: "r1", Name: "Ada", Email: "ada@example.com", Team: "east", ManagerID: "m1"}
	with := func(f func(*Rep)) Rep { r := ok; f(&r); return r }
	runValidate(t, []validateCase{
		{"valid", ok, ""},
		{"optional fields empty", Rep{ID: "r1", Name: "Ada"}, ""},
		{"id required", with(func(r *Rep) { r.ID = " " }), "rep_id: required"},
		{"name required", with(func(r *Rep) { r.Name = "" }), "name: required"},
		{"email without at", with(func(r *Rep) { r.Email = "ada.example.com" }), `email: value "ada.example.com": not an email address`},
		{"email with two ats", with(func(r *Rep) { r.Email = "a@b@c" }), `email: value "a@b@c": not an email address`},
		{"email with space", with(func(r *Rep) { r.Email = "ada @x.com" }), `email: value "ada @x.com": not an email address`},
		{"email ends with at", with(func(r *Rep) { r.Email = "ada@" }), `email: value "ada@": not an email address`},
		{"all at once", Rep{Email: "@x"}, `rep_id: required; name: required; email: value "@x": not an email address`},
	})
}

func TestTeamValidate(t *testing.T) {
	runValidate(t, []validateCase{
		{"valid", Team{Name: "east", ManagerID: "m1"}, ""},
		{"no manager", Team{Name: "east"}, ""},
		{"name required", Team{ManagerID: "m1"}, "team: required"},
	})
}

func TestQuotaValidate(t *testing.T) {
	ok := Quota{RepID: "r1", PeriodStart: day(2026, 10, 1), Period: GrainQuarter, Amount: 120000}
	with := func(f func(*Quota)) Quota { q := ok; f(&q); return q }
	runValidate(t, []validateCase{
		{"valid quarter", ok, ""},
		{"valid month", with(func(q *Quota) { q.Period = GrainMonth; q.PeriodStart = day(2026, 11, 1) }), ""},
		{"zero amount", with(func(q *Quota) { q.Amount = 0 }), ""},
		{"rep required", with(func(q *Quota) { q.RepID = "" }), "rep_id: required"},
		{"week not allowed", with(func(q *Quota) { q.Period = GrainWeek }), `period: value "week": want month or quarter`},
		{"period required", with(func(q *Quota) { q.Period = "" }), "period: want month or quarter"},
		{"start required", with(func(q *Quota) { q.PeriodStart = time.Time{} }), "period_start: required"},
		{"start not first of quarter", with(func(q *Quota) { q.PeriodStart = day(2026, 11, 1) }), `period_start: value "2026-11-01T00:00:00Z": not the first day of a quarter at 00:00 UTC`},
		{"start not first of month", with(func(q *Quota) { q.Period = GrainMonth; q.PeriodStart = day(2026, 11, 2) }), `period_start: value "2026-11-02T00:00:00Z": not the first day of a month at 00:00 UTC`},
		{"start not midnight", with(func(q *Quota) { q.PeriodStart = ok.PeriodStart.Add(time.Hour) }), `period_start: value "2026-10-01T01:00:00Z": not the first day of a quarter at 00:00 UTC`},
		{"negative amount", with(func(q *Quota) { q.Amount = -1 }), `amount: value "-1": must not be negative`},
		{"NaN amount", with(func(q *Quota) { q.Amount = math.NaN() }), `amount: value "NaN": not a finite number`},
		{"infinite amount", with(func(q *Quota) { q.Amount = math.Inf(1) }), `amount: value "+Inf": not a finite number`},
		{"bad period and no start", Quota{RepID: "r1", Period: "year"}, `period: value "year": want month or quarter; period_start: required`},
	})
}

func TestQuotaSpan(t *testing.T) {
	q := Quota{RepID: "r1", PeriodStart: day(2026, 10, 1), Period: GrainQuarter}
	if got := q.Span().String(); got != "2026-Q4" {
		t.Errorf("Span() = %s, want 2026-Q4", got)
	}
}

func TestStageValidate(t *testing.T) {
	ok := Stage{Name: "Negotiation", Position: 5, Probability: 0.8, Category: CategoryCommit}
	with := func(f func(*Stage)) Stage { s := ok; f(&s); return s }
	runValidate(t, []validateCase{
		{"valid", ok, ""},
		{"probability 0 and position 0", with(func(s *Stage) { s.Probability = 0; s.Position = 0 }), ""},
		{"probability 1", with(func(s *Stage) { s.Probability = 1; s.Category = CategoryClosed }), ""},
		{"name required", with(func(s *Stage) { s.Name = "" }), "stage: required"},
		{"negative position", with(func(s *Stage) { s.Position = -1 }), `position: value "-1": must not be negative`},
		{"probability above 1", with(func(s *Stage) { s.Probability = 80 }), `probability: value "80": want a number from 0 to 1`},
		{"probability below 0", with(func(s *Stage) { s.Probability = -0.1 }), `probability: value "-0.1": want a number from 0 to 1`},
		{"probability NaN", with(func(s *Stage) { s.Probability = math.NaN() }), `probability: value "NaN": want a number from 0 to 1`},
		{"unknown category", with(func(s *Stage) { s.Category = "Best Case" }), `category: value "Best Case": want pipeline, best_case, commit, closed or omitted`},
		{"category required", with(func(s *Stage) { s.Category = "" }), `category: want pipeline, best_case, commit, closed or omitted`},
	})
}

func TestForecastCategoryValid(t *testing.T) {
	for _, c := range []ForecastCategory{CategoryPipeline, CategoryBestCase, CategoryCommit, CategoryClosed, CategoryOmitted} {
		if !c.Valid() {
			t.Errorf("%q should be valid", c)
		}
	}
	if ForecastCategory("forecast").Valid() {
		t.Error(`"forecast" should not be valid`)
	}
}

func TestActivityValidate(t *testing.T) {
	ok := Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(2026, 11, 2), AccountID: "acc", DealID: "d1"}
	with := func(f func(*Activity)) Activity { a := ok; f(&a); return a }
	runValidate(t, []validateCase{
		{"valid", ok, ""},
		{"optional ids empty", with(func(a *Activity) { a.AccountID, a.DealID = "", "" }), ""},
		{"firm's own kind", with(func(a *Activity) { a.Kind = "site_visit2" }), ""},
		{"id required", with(func(a *Activity) { a.ID = "" }), "activity_id: required"},
		{"rep required", with(func(a *Activity) { a.RepID = "" }), "rep_id: required"},
		{"kind required", with(func(a *Activity) { a.Kind = "" }), "kind: required"},
		{"kind uppercase", with(func(a *Activity) { a.Kind = "Call" }), `kind: value "Call": want a lowercase word: a letter, then letters, digits or _`},
		{"kind with space", with(func(a *Activity) { a.Kind = "cold call" }), `kind: value "cold call": want a lowercase word: a letter, then letters, digits or _`},
		{"kind starting with digit", with(func(a *Activity) { a.Kind = "1call" }), `kind: value "1call": want a lowercase word: a letter, then letters, digits or _`},
		{"kind with dash", with(func(a *Activity) { a.Kind = "follow-up" }), `kind: value "follow-up": want a lowercase word: a letter, then letters, digits or _`},
		{"occurred_at required", with(func(a *Activity) { a.OccurredAt = time.Time{} }), "occurred_at: required"},
	})
}

func TestValidKind(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"call", true}, {"a", true}, {"demo_2", true}, {"", false}, {"_x", false}, {"é", false}, {"callé", false}, {"z9", true}}
	for _, tt := range tests {
		if got := ValidKind(tt.in); got != tt.want {
			t.Errorf("ValidKind(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDealValidate(t *testing.T) {
	created := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	ok := Deal{ID: "d1", RepID: "r1", AccountID: "acc", Stage: "Proposal", Status: StatusOpen, Amount: 5000,
		CreatedAt: created, CloseDate: day(2026, 12, 15), UpdatedAt: created.Add(48 * time.Hour)}
	won := ok
	won.Status, won.Stage, won.ClosedAt = StatusWon, "Closed Won", day(2026, 12, 10)
	with := func(base Deal, f func(*Deal)) Deal { d := base; f(&d); return d }
	runValidate(t, []validateCase{
		{"valid open", ok, ""},
		{"valid won", won, ""},
		{"valid lost", with(won, func(d *Deal) { d.Status = StatusLost }), ""},
		{"updated equals created", with(ok, func(d *Deal) { d.UpdatedAt = created }), ""},
		{"no account", with(ok, func(d *Deal) { d.AccountID = "" }), ""},
		{"zero amount", with(ok, func(d *Deal) { d.Amount = 0 }), ""},
		{"id required", with(ok, func(d *Deal) { d.ID = "" }), "deal_id: required"},
		{"rep required", with(ok, func(d *Deal) { d.RepID = "" }), "rep_id: required"},
		{"stage required", with(ok, func(d *Deal) { d.Stage = "" }), "stage: required"},
		{"negative amount", with(ok, func(d *Deal) { d.Amount = -5 }), `amount: value "-5": must not be negative`},
		{"infinite amount", with(ok, func(d *Deal) { d.Amount = math.Inf(-1) }), `amount: value "-Inf": not a finite number`},
		{"created_at may be unknown", with(ok, func(d *Deal) { d.CreatedAt = time.Time{} }), ""},
		{"close_date may be unknown", with(ok, func(d *Deal) { d.CloseDate = time.Time{} }), ""},
		{"close_date 1970-01-01 is reserved", with(ok, func(d *Deal) { d.CloseDate = time.Unix(0, 0).UTC() }), "close_date: value \"1970-01-01T00:00:00Z\": 1970-01-01 stands for an unknown date; leave the value empty instead"},
		{"unknown stage is reserved", with(ok, func(d *Deal) { d.Stage = UnknownStage }), `stage: value "(unknown)": reserved for the stage of inferred versions`},
		{"inferred version in unknown stage", with(ok, func(d *Deal) { d.Stage, d.Inferred = UnknownStage, true }), ""},
		{"unknown status", with(ok, func(d *Deal) { d.Status = "closed" }), `status: value "closed": want open, won or lost`},
		{"won without closed_at", with(won, func(d *Deal) { d.ClosedAt = time.Time{} }), "closed_at: required when status is won"},
		{"lost without closed_at", with(won, func(d *Deal) { d.Status, d.ClosedAt = StatusLost, time.Time{} }), "closed_at: required when status is lost"},
		{"open with closed_at", with(ok, func(d *Deal) { d.ClosedAt = day(2026, 12, 1) }), `closed_at: value "2026-12-01T00:00:00Z": must be empty when status is open`},
		{"updated required", with(ok, func(d *Deal) { d.UpdatedAt = time.Time{} }), "updated_at: required"},
		{"updated before created", with(ok, func(d *Deal) { d.UpdatedAt = created.Add(-time.Second) }),
			`updated_at: value "2026-09-01T09:59:59Z": before created_at 2026-09-01T10:00:00Z`},
		{"closed on the day it was created, as a bare date", with(won, func(d *Deal) { d.ClosedAt = day(2026, 9, 1) }), ""},
		{"closed a day before created", with(won, func(d *Deal) { d.ClosedAt = created.Add(-24 * time.Hour) }),
			`closed_at: value "2026-08-31T10:00:00Z": before created_at 2026-09-01T10:00:00Z; a deal cannot close before it was created`},
		{"closed_at after the range", with(won, func(d *Deal) { d.ClosedAt = day(2101, 1, 1) }),
			`closed_at: value "2101-01-01T00:00:00Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"created before 1970", with(ok, func(d *Deal) { d.CreatedAt = time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC) }),
			`created_at: value "1969-12-31T23:59:59Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"close_date 9999-12-31", with(ok, func(d *Deal) { d.CloseDate = day(9999, 12, 31) }),
			`close_date: value "9999-12-31T00:00:00Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"updated_at 2300", with(ok, func(d *Deal) { d.UpdatedAt = day(2300, 1, 1) }),
			`updated_at: value "2300-01-01T00:00:00Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"last moment of the range", with(ok, func(d *Deal) { d.UpdatedAt = time.Date(2100, 12, 31, 23, 59, 59, 999e6, time.UTC) }), ""},
		{"largest amount", with(ok, func(d *Deal) { d.Amount = MaxAmount }), ""},
		{"amount above the largest", with(ok, func(d *Deal) { d.Amount = 1e17 }),
			`amount: value "100000000000000000": above the largest amount, 9999999999999.99`},
		{"amount with 3 decimals", with(ok, func(d *Deal) { d.Amount = 0.005 }),
			`amount: value "0.005": more than 2 decimals; amounts are stored to the cent`},
		{"NUL in deal_id", with(ok, func(d *Deal) { d.ID = "d\x001" }),
			`deal_id: value "d\x001": control characters (such as NUL, tab or a line break) are not allowed in an id`},
		{"line break in account_id", with(ok, func(d *Deal) { d.AccountID = "acc\n2" }),
			`account_id: value "acc\n2": control characters (such as NUL, tab or a line break) are not allowed in an id`},
		{"tab in stage", with(ok, func(d *Deal) { d.Stage = "Pro\tposal" }),
			`stage: value "Pro\tposal": control characters (such as NUL, tab or a line break) are not allowed in an id`},
	})
}

func TestIDsAndTimesInRange(t *testing.T) {
	const ctrl = "control characters (such as NUL, tab or a line break) are not allowed in an id"
	runValidate(t, []validateCase{
		{"activity NUL id", Activity{ID: "a\x00", RepID: "r1", Kind: "call", OccurredAt: day(2026, 1, 1)}, `activity_id: value "a\x00": ` + ctrl},
		{"activity control rep, account and deal", Activity{ID: "a1", RepID: "r\x01", Kind: "call", OccurredAt: day(2026, 1, 1), AccountID: "x\x7f", DealID: "\x1b"},
			`rep_id: value "r\x01": ` + ctrl + `; account_id: value "x\x7f": ` + ctrl + `; deal_id: value "\x1b": ` + ctrl},
		{"activity in 9999", Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
			`occurred_at: value "9999-12-31T23:59:59Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"activity at the Unix epoch", Activity{ID: "a1", RepID: "r1", Kind: "call", OccurredAt: day(1970, 1, 1)}, ""},
		{"rep NUL manager and team", Rep{ID: "r1", Name: "Ada", Team: "e\x00", ManagerID: "m\r"},
			`team: value "e\x00": ` + ctrl + `; manager_id: value "m\r": ` + ctrl},
		{"team with a line break", Team{Name: "east\n"}, `team: value "east\n": ` + ctrl},
		{"quota NUL rep", Quota{RepID: "\x00", Period: GrainMonth, PeriodStart: day(2026, 1, 1)}, `rep_id: value "\x00": ` + ctrl},
		{"quota in 2200", Quota{RepID: "r1", Period: GrainMonth, PeriodStart: day(2200, 1, 1)},
			`period_start: value "2200-01-01T00:00:00Z": outside the supported range 1970-01-01 to 2100-12-31 UTC`},
		{"quota amount 3 decimals", Quota{RepID: "r1", Period: GrainMonth, PeriodStart: day(2026, 1, 1), Amount: 100.125},
			`amount: value "100.125": more than 2 decimals; amounts are stored to the cent`},
		{"stage NUL", Stage{Name: "A\x00", Category: CategoryPipeline}, `stage: value "A\x00": ` + ctrl},
	})
}

func TestWholeCents(t *testing.T) {
	for _, v := range []float64{0, 0.01, 0.29, 1200.5, 99.99, 123456789.07, MaxAmount} {
		if !WholeCents(v) {
			t.Errorf("WholeCents(%v) = false", v)
		}
	}
	for _, v := range []float64{0.005, 0.001, 1200.123, 99.999} {
		if WholeCents(v) {
			t.Errorf("WholeCents(%v) = true", v)
		}
	}
}

func TestDealStatus(t *testing.T) {
	tests := []struct {
		s             DealStatus
		valid, closed bool
	}{{StatusOpen, true, false}, {StatusWon, true, true}, {StatusLost, true, true}, {"Won", false, false}, {"", false, false}}
	for _, tt := range tests {
		if tt.s.Valid() != tt.valid || tt.s.Closed() != tt.closed {
			t.Errorf("%q: Valid %v Closed %v, want %v %v", tt.s, tt.s.Valid(), tt.s.Closed(), tt.valid, tt.closed)
		}
	}
}

func TestValidationErrorAs(t *testing.T) {
	err := fmtWrap(Deal{Status: "x"}.Validate())
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("errors.As(%v, *ValidationError) failed", err)
	}
	fields := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = f.Field
	}
	want := []string{"deal_id", "rep_id", "stage", "status", "updated_at"}
	if len(fields) != len(want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("field %d = %s, want %s", i, fields[i], want[i])
		}
	}
	var fe FieldError
	if !errors.As(err, &fe) || fe.Field != "deal_id" {
		t.Errorf("errors.As(FieldError) = %+v, want the first field error", fe)
	}
}

func fmtWrap(err error) error {
	return errors.Join(errors.New("loading deals"), err)
}

func TestHasControlMatchesUnicode(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		s := "a" + string(r) + "b"
		if got, want := hasControl(s), unicode.IsControl(r); got != want {
			t.Errorf("hasControl(%q) = %v, unicode.IsControl says %v", s, got, want)
		}
	}
	if hasControl("é漢字") || !hasControl("x\u0085") {
		t.Error("hasControl is wrong on multi-byte text")
	}
}
