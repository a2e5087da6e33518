package ingest

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

const okMapping = `
name: crm-deals
kind: deals
fields:
  deal_id: {columns: [Region, Num], separator: "-"}
  rep_id: {column: Owner}
  stage: {column: Stage}
  status: {column: Stage, values: {Won: won, Lost: lost}, default: open}
  amount: {column: Value, if_empty: "0"}
  created_at: {column: Created, format: "02/01/2006"}
  close_date: {column: Close, format: ["02/01/2006", auto]}
  closed_at: {column: Close, format: ["02/01/2006", auto], when: {status: [won, lost]}}
  updated_at: {column: Modified, fallback: [Created], format: ["02/01/2006 15:04", "02/01/2006"]}
`

func TestParseMappingErrors(t *testing.T) {
	base := "name: x\nkind: activities\nfields:\n  activity_id: {column: Id}\n  rep_id: {column: Owner}\n  kind: {const: call}\n  occurred_at: {column: When}\n"
	tests := []struct{ name, yaml, want string }{
		{"unknown canonical field", base + "  amount: {column: Amount}\n",
			`mapping m.yaml: field "amount" is not a activities column (want one of activity_id, rep_id, kind, occurred_at, account_id, deal_id)`},
		{"unknown option", base + "  deal_id: {colum: Deal}\n",
			"mapping m.yaml: unmarshal errors:\n  line 8: key colum not found (want column, fallback, columns, separator, const, optional, split, pattern, if_empty, values, default, normalize, format or when)"},
		{"unknown top-level key", "nme: x\n" + base,
			"mapping m.yaml: unmarshal errors:\n  line 1: key nme not found (want name, vendor, kind, description, detect, keep_when or fields)"},
		{"required field not mapped", "name: x\nkind: activities\nfields:\n  activity_id: {column: Id}\n",
			"mapping m.yaml: required field rep_id is not mapped"},
		{"no name", "kind: activities\n", "mapping m.yaml: name is required"},
		{"bad kind", "name: x\nkind: leads\n", `mapping m.yaml: kind "leads": want reps, quotas, stages, activities or deals`},
		{"two sources", strings.Replace(base, "{const: call}", "{const: call, column: Type}", 1),
			"mapping m.yaml: field kind: set exactly one of column, columns and const"},
		{"no source", strings.Replace(base, "{const: call}", "{normalize: word}", 1),
			"mapping m.yaml: field kind: set exactly one of column, columns and const"},
		{"fallback without column", strings.Replace(base, "{const: call}", "{const: call, fallback: [A]}", 1),
			"mapping m.yaml: field kind: fallback goes with column"},
		{"separator without columns", strings.Replace(base, "{column: Id}", "{column: Id, separator: x}", 1),
			"mapping m.yaml: field activity_id: separator goes with columns"},
		{"bad pattern", strings.Replace(base, "{column: Id}", "{column: Id, pattern: \"(\"}", 1),
			"mapping m.yaml: field activity_id: pattern: error parsing regexp: missing closing ): `(`"},
		{"bad normalize", strings.Replace(base, "{const: call}", "{const: call, normalize: upper}", 1),
			`mapping m.yaml: field kind: normalize "upper": want word`},
		{"bad format", strings.Replace(base, "{column: When}", "{column: When, format: \"%Y-%m-%d\"}", 1),
			`mapping m.yaml: field occurred_at: format "%Y-%m-%d" is not a Go time layout such as 2006-01-02 15:04 (or auto)`},
		{"when on unknown field", strings.Replace(base, "{column: When}", "{column: When, when: {status: [won]}}", 1),
			`mapping m.yaml: field occurred_at: when: "status" is not a activities column`},
		{"keep_when without values", base + "keep_when: {column: Done}\n", "mapping m.yaml: keep_when needs a column and values"},
		{"not yaml", "name: [x", "mapping m.yaml: line 1: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tt.yaml), "m.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\n        want %s", err, tt.want)
			}
		})
	}
}

func TestMappingEndToEnd(t *testing.T) {
	m, err := ParseMapping([]byte(okMapping), "crm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	input := "Region,Num,Owner,Stage,Value,Created,Close,Modified\n" +
		"EU,17,ann,Won,900,01/02/2024,15/03/2024,15/03/2024 18:30\n" +
		"US,18,bob,Demo,,02/02/2024,30/04/2024,\n" +
		"US,19,bob,Demo,5,2024-02-02,30/04/2024,\n"
	rd, err := NewReader(strings.NewReader(input), "crm.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := m.Bind(rd, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	conv := NewDealConverter(time.UTC)
	var got []string
	for {
		rec, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		d, err := conv.Convert(rec)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{d.ID, d.RepID, string(d.Status), d.CreatedAt.Format(time.RFC3339),
			d.CloseDate.Format(time.DateOnly), d.ClosedAt.Format(time.RFC3339), d.UpdatedAt.Format(time.RFC3339)}, " "))
	}
	want := []string{
		"EU-17 ann won 2024-02-01T00:00:00Z 2024-03-15 2024-03-15T00:00:00Z 2024-03-15T18:30:00Z",
		"US-18 bob open 2024-02-02T00:00:00Z 2024-04-30 0001-01-01T00:00:00Z 2024-02-02T00:00:00Z",
		`crm.csv:4: column Created (created_at): value "2024-02-02": not a date in format 02/01/2006; ` +
			`column Modified or Created (updated_at): value "2024-02-02": not a date in format 02/01/2006 15:04 or 02/01/2006`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestMappingBindMissingColumns(t *testing.T) {
	m, err := ParseMapping([]byte(okMapping), "crm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(strings.NewReader("Region,Owner,Stage,Value,Close\n"), "crm.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Bind(rd, nil)
	want := `crm.csv: mapping crm-deals: missing required columns "Num" (for deal_id), "Created" (for created_at), ` +
		`"Modified" or "Created" (for updated_at) (header has: Region, Owner, Stage, Value, Close)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\n        want %s", err, want)
	}
}

func TestMappingRules(t *testing.T) {
	tests := []struct {
		name, spec, header, row, want string
	}{
		{"split takes first id", "{column: Ids, split: \";\"}", "Ids", " ;42; 43", "42"},
		{"pattern drops other objects", "{column: WhatId, pattern: \"^006\"}", "WhatId", "001xx", ""},
		{"pattern keeps match", "{column: WhatId, pattern: \"^006\"}", "WhatId", "006xx", "006xx"},
		{"fallback", "{column: A, fallback: [B]}", "A;B", ";b", "b"},
		{"translation is case-insensitive", "{column: T, values: {Call: call}}", "T", "CALL", "call"},
		{"translation default", "{column: T, values: {Call: call}, default: other}", "T", "Fax", "other"},
		{"untranslated passes", "{column: T, values: {Call: call}}", "T", "Fax", "Fax"},
		{"word", "{column: T, normalize: word}", "T", "  Send Letter/Quote ", "send_letter_quote"},
		{"if_empty", "{column: T, if_empty: task}", "T;X", ";x", "task"},
		{"join skips all-empty", "{columns: [A, B]}", "A;B;C", ";;c", ""},
		{"join keeps partly empty", "{columns: [A, B]}", "A;B", "x;", "x:"},
		{"const", "{const: call}", "A", "x", "call"},
		{"optional column absent", "{column: Nope, optional: true}", "A", "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := "name: t\nkind: reps\nfields:\n  rep_id: {const: r}\n  name: " + tt.spec + "\n"
			m, err := ParseMapping([]byte(yaml), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			rd, err := NewReader(strings.NewReader(tt.header+"\n"+tt.row+"\n"), "t.csv", Options{Format: FormatCSV})
			if err != nil {
				t.Fatal(err)
			}
			mr, err := m.Bind(rd, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := mr.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := rec.Get("name"); got != tt.want {
				t.Errorf("name = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMappingJSONSource(t *testing.T) {
	m, err := LookupMapping("hubspot-calls", KindActivities, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := `[{"Record ID": 1, "Activity assigned to": "Jane", "Activity date": "2024-03-04 11:10"}, {"Record ID": 2}]`
	rd, err := NewReader(strings.NewReader(in), "calls.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := m.Bind(rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := report(mr, NewActivityConverter(nil))
	want := `ok     {"ID":"1","RepID":"Jane","Kind":"call","OccurredAt":"2024-03-04T11:10:00Z","AccountID":"","DealID":""}
reject calls.json: element 2: field Activity assigned to (rep_id): required; field Activity date or Create date (occurred_at): required
stats  2 records, 1 accepted, 1 rejected
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLookupMapping(t *testing.T) {
	header := func(cols ...string) *Header { return NewHeader(cols) }
	tests := []struct {
		name   string
		lookup string
		kind   Kind
		h      *Header
		want   string
	}{
		{"full name", "hubspot-deals", "", nil, "hubspot-deals"},
		{"full name any case", " HubSpot-Deals ", KindDeals, nil, "hubspot-deals"},
		{"vendor and single kind", "hubspot", KindDeals, nil, "hubspot-deals"},
		{"opportunity export", "salesforce", KindDeals, header("Id", "OwnerId", "AccountId", "StageName", "Amount", "CreatedDate", "CloseDate", "IsClosed", "IsWon", "LastModifiedDate"), "salesforce-opportunities"},
		{"history export", "salesforce", KindDeals, header("OpportunityId", "Opportunity.OwnerId", "StageName", "Amount", "CloseDate", "CreatedDate", "Opportunity.CreatedDate"), "salesforce-opportunity-history"},
		{"task export", "salesforce", KindActivities, header("Id", "OwnerId", "WhatId", "AccountId", "TaskSubtype", "Type", "ActivityDate", "CreatedDate", "IsClosed"), "salesforce-tasks"},
		{"event export", "salesforce", KindActivities, header("Id", "OwnerId", "WhatId", "AccountId", "Type", "ActivityDateTime", "ActivityDate", "CreatedDate"), "salesforce-events"},
		{"hubspot emails", "hubspot", KindActivities, header("Record ID", "Email subject", "Activity date", "Activity assigned to"), "hubspot-emails"},
		{"hubspot meetings", "hubspot", KindActivities, header("Record ID", "Meeting name", "Meeting start time", "Activity assigned to"), "hubspot-meetings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LookupMapping(tt.lookup, tt.kind, tt.h)
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != tt.want {
				t.Errorf("got %s, want %s", m.Name, tt.want)
			}
		})
	}
}

func TestLookupMappingErrors(t *testing.T) {
	tests := []struct {
		name, lookup string
		kind         Kind
		h            *Header
		want         string
	}{
		{"wrong kind", "hubspot-deals", KindActivities, nil, "mapping hubspot-deals maps deals, not activities"},
		{"unknown", "pipedrive", KindDeals, nil, `no built-in mapping "pipedrive" for deals (have: crm-opportunities, crm-teams, hubspot-calls, hubspot-deals, hubspot-emails, hubspot-meetings, salesforce-events, salesforce-opportunities, salesforce-opportunity-history, salesforce-tasks)`},
		{"vendor lacks kind", "hubspot", KindQuotas, nil, `no built-in mapping "hubspot" for quotas (have: crm-opportunities, crm-teams, hubspot-calls, hubspot-deals, hubspot-emails, hubspot-meetings, salesforce-events, salesforce-opportunities, salesforce-opportunity-history, salesforce-tasks)`},
		{"ambiguous without header", "salesforce", KindActivities, nil, "salesforce has several mappings for activities (salesforce-events, salesforce-tasks): name one"},
		{"no header fits", "salesforce", KindActivities, NewHeader([]string{"Id", "Subject"}), "cannot tell which salesforce mapping fits this header (Id, Subject): name one of salesforce-events, salesforce-tasks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LookupMapping(tt.lookup, tt.kind, tt.h)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\n        want %s", err, tt.want)
			}
		})
	}
}

func TestBuiltinMappings(t *testing.T) {
	ms, err := BuiltinMappings()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
		if m.Vendor == "" || m.Description == "" || len(m.detect) == 0 {
			t.Errorf("%s: vendor, description and detect are needed for lookup by vendor", m.Name)
		}
	}
	want := []string{"crm-opportunities", "crm-teams", "hubspot-calls", "hubspot-deals", "hubspot-emails", "hubspot-meetings", "salesforce-events",
		"salesforce-opportunities", "salesforce-opportunity-history", "salesforce-tasks"}
	if !slices.Equal(names, want) {
		t.Errorf("built-ins = %v, want %v", names, want)
	}
}
