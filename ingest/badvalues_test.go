package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/ingest"
	"github.com/salesrecipe/salesrecipe/queries"
)

// TestValuesStorageCannotHoldWriteNothing loads, for each value the columns cannot hold, a file
// of one good row and one bad row: the load fails naming line, column, value and reason, and the
// firm has no row stored at all.
func TestValuesStorageCannotHoldWriteNothing(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	const acts = "activity_id,rep_id,kind,occurred_at,account_id\na1,r1,call,2026-03-02T10:00:00Z,acc\n"
	const deals = "deal_id,rep_id,stage,status,amount,created_at,close_date,closed_at,updated_at\n" +
		"d1,r1,Proposal,open,100,2026-01-05T10:00:00Z,2026-02-01,,2026-01-06T10:00:00Z\n"
	const outside = "outside the supported range 1970-01-01 to 2100-12-31 UTC"
	const ctrl = "control characters (such as NUL, tab or a line break) are not allowed in an id"
	tests := []struct {
		name string
		kind ingest.Kind
		body string
		want string
	}{
		{"time in 9999", ingest.KindActivities, acts + "a2,r1,call,9999-12-31T23:59:59Z,acc\n",
			`body:3: column occurred_at: value "9999-12-31T23:59:59Z": ` + outside},
		{"time in 2300", ingest.KindActivities, acts + "a2,r1,call,2300-01-01,acc\n", `body:3: column occurred_at: value "2300-01-01": ` + outside},
		{"time before 1970", ingest.KindActivities, acts + "a2,r1,call,1960-05-01,acc\n", `body:3: column occurred_at: value "1960-05-01": ` + outside},
		{"NUL in activity_id", ingest.KindActivities, acts + "a\x002,r1,call,2026-03-02,acc\n", `body:3: column activity_id: value "a\x002": ` + ctrl},
		{"control character in account_id", ingest.KindActivities, acts + "a2,r1,call,2026-03-02,\"a\x1bc\"\n", `body:3: column account_id: value "a\x1bc": ` + ctrl},
		{"close_date in 9999", ingest.KindDeals, deals + "d2,r1,Proposal,open,100,2026-01-05T10:00:00Z,9999-12-31,,2026-01-06T10:00:00Z\n",
			`body:3: column close_date: value "9999-12-31": ` + outside},
		{"amount beyond the Decimal", ingest.KindDeals, deals + "d2,r1,Proposal,open,100000000000000000,2026-01-05T10:00:00Z,2026-02-01,,2026-01-06T10:00:00Z\n",
			`body:3: column amount: value "100000000000000000": above the largest amount, 9999999999999.99`},
		{"amount with 3 decimals", ingest.KindDeals, deals + "d2,r1,Proposal,open,0.005,2026-01-05T10:00:00Z,2026-02-01,,2026-01-06T10:00:00Z\n",
			`body:3: column amount: value "0.005": more than 2 decimals; amounts are stored to the cent`},
		{"closed before created", ingest.KindDeals, deals + "d2,r1,Won,won,100,2026-01-05T10:00:00Z,2026-01-01,2026-01-01T09:00:00Z,2026-01-06T10:00:00Z\n",
			`body:3: column closed_at: value "2026-01-01T09:00:00Z": before created_at 2026-01-05T10:00:00Z; a deal cannot close before it was created`},
		{"NUL in deal_id", ingest.KindDeals, deals + "d\x002,r1,Proposal,open,100,2026-01-05T10:00:00Z,2026-02-01,,2026-01-06T10:00:00Z\n",
			`body:3: column deal_id: value "d\x002": ` + ctrl},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			firm := "bad" + string(rune('a'+i))
			job := ingest.Job{Firm: firm, Kind: tt.kind, Backoff: ingest.Backoff{Attempts: 1}}
			_, err := ingest.Run(context.Background(), st, job, []ingest.Input{{Name: "body", R: strings.NewReader(tt.body)}})
			if !errors.Is(err, ingest.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v\nwant ErrInvalid with %s", err, tt.want)
			}
			status, err := st.Status(context.Background(), firm)
			if err != nil {
				t.Fatal(err)
			}
			for _, ks := range status {
				if ks.Rows != 0 {
					t.Errorf("%s: %d rows stored by a failed load", ks.Kind, ks.Rows)
				}
			}
		})
	}
	assertNoStagingTables(t, st)
}
