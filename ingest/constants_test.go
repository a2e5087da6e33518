package ingest

import (
	"strings"
	"testing"
	"time"
)

func TestParseConstants(t *testing.T) {
	tests := []struct {
		name, kind string
		set        []string
		want       string // the error, or the parsed constants as field=value;...
	}{
		{"none", "quotas", nil, ""},
		{"two", "deals", []string{"stage=unknown", " Close_Date = 2017-09-30 "}, "stage=unknown;close_date=2017-09-30"},
		{"empty value", "deals", []string{"account_id="}, "account_id="},
		{"no equals", "quotas", []string{"period"}, `--set "period": want field=value, such as period=2017-Q3`},
		{"no field", "quotas", []string{"=2017-Q3"}, `--set "=2017-Q3": want field=value, such as period=2017-Q3`},
		{"unknown field", "quotas", []string{"quarter=2017-Q3"}, `--set quarter=2017-Q3: "quarter" is not a field of quotas (want one of rep_id, period_start, period, amount)`},
		{"twice", "quotas", []string{"period=2017-Q3", "period=2017-Q4"}, "--set period=2017-Q4: period is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseConstants(Kind(tt.kind), tt.set)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				var parts []string
				for _, c := range cs {
					parts = append(parts, c.Field+"="+c.Value)
				}
				got = strings.Join(parts, ";")
			}
			if got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestConstantsCompleteACanonicalFile loads per-rep amounts with the period set from the command line,
// including a period given as a label in the file and a period_start that contradicts it.
func TestConstantsCompleteACanonicalFile(t *testing.T) {
	in := "rep_id,amount\nr1,100000\nr2,2500.50\n,7\n"
	rd, err := NewReader(strings.NewReader(in), "amounts.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := ParseConstants(KindQuotas, []string{"period=2017-Q3"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := CanonicalMapping(KindQuotas).WithConstants(cs)
	if err != nil {
		t.Fatal(err)
	}
	mr, err := m.Bind(rd, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := reportKind(mr, KindQuotas, time.UTC)
	want := `ok     {"RepID":"r1","PeriodStart":"2017-07-01T00:00:00Z","Period":"quarter","Amount":100000}
ok     {"RepID":"r2","PeriodStart":"2017-07-01T00:00:00Z","Period":"quarter","Amount":2500.5}
reject amounts.csv:4: column rep_id: required
stats  3 records, 2 accepted, 1 rejected
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestQuotaPeriodLabel(t *testing.T) {
	in := "rep_id,period,period_start,amount\nr1,2017-07,,10\nr1,2017-q3,2017-07-01,20\nr1,2017-Q3,2017-08-01,30\nr1,2017-W30,,40\n"
	rd, err := NewReader(strings.NewReader(in), "q.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := reportKind(rd, KindQuotas, time.UTC)
	want := `ok     {"RepID":"r1","PeriodStart":"2017-07-01T00:00:00Z","Period":"month","Amount":10}
ok     {"RepID":"r1","PeriodStart":"2017-07-01T00:00:00Z","Period":"quarter","Amount":20}
reject q.csv:4: column period_start: value "2017-08-01": not the first day of period 2017-Q3 (2017-07-01)
reject q.csv:5: column period: value "2017-W30": want month or quarter
stats  4 records, 2 accepted, 2 rejected
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestConstantsOverrideAMapping sets a field a mapping file reads from a column, and one it leaves out.
func TestConstantsOverrideAMapping(t *testing.T) {
	m, err := ParseMapping([]byte("name: q\nkind: quotas\nfields:\n  rep_id: {column: Owner}\n  period: {column: Quarter}\n  amount: {column: Target}\n"), "q.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := ParseConstants(KindQuotas, []string{"period=2017-10", "amount=5"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = m.WithConstants(cs); err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(strings.NewReader("Owner,Target\nr9,1\n"), "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := m.Bind(rd, time.UTC)
	if err != nil {
		t.Fatalf("the set column Quarter should not be needed: %v", err)
	}
	got := reportKind(mr, KindQuotas, time.UTC)
	want := `ok     {"RepID":"r9","PeriodStart":"2017-10-01T00:00:00Z","Period":"month","Amount":5}` + "\nstats  1 records, 1 accepted, 0 rejected\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := m.WithConstants([]Constant{{Field: "stage", Value: "x"}}); err == nil || !strings.Contains(err.Error(), "want one of rep_id, period_start, period, amount") {
		t.Errorf("unknown field: %v", err)
	}
}

// TestDefaultsFillOnlyEmptyValues loads the built-in crm-opportunities mapping with the export date as the default
// updated_at: a closed row keeps its close date, an open row (no close date) takes the default.
func TestDefaultsFillOnlyEmptyValues(t *testing.T) {
	m, err := LookupMapping("crm-opportunities", KindDeals, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseDefaults(KindDeals, []string{"updated_at=2017-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = m.WithConstants(ds); err != nil {
		t.Fatal(err)
	}
	in := "opportunity_id,sales_agent,account,deal_stage,engage_date,close_date,close_value\n" +
		"o1,Ann Lee,Acme,Won,2017-10-02,2017-11-20,1054\no2,Ann Lee,Acme,Engaging,2017-12-01,,\n"
	rd, err := NewReader(strings.NewReader(in), "opportunities.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := m.Bind(rd, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := reportKind(mr, KindDeals, time.UTC)
	for _, want := range []string{`"ID":"o1"`, `"Status":"won"`, `"UpdatedAt":"2017-11-20T00:00:00Z"`, `"ID":"o2"`, `"Stage":"engaging"`,
		`"UpdatedAt":"2017-12-31T00:00:00Z"`, "2 accepted, 0 rejected"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %s in\n%s", want, got)
		}
	}
	if _, err := ParseDefaults(KindDeals, []string{"updated"}); err == nil || !strings.HasPrefix(err.Error(), "--default ") {
		t.Errorf("bad setting: %v", err)
	}
}
