package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

func TestSchemaPositions(t *testing.T) {
	tests := []struct {
		kind Kind
		pos  map[string]int
	}{
		{KindReps, map[string]int{"rep_id": repID, "name": repName, "email": repEmail, "team": repTeam, "manager_id": repManager}},
		{KindQuotas, map[string]int{"rep_id": quotaRep, "period_start": quotaStart, "period": quotaPeriod, "amount": quotaAmount}},
		{KindStages, map[string]int{"stage": stageName, "position": stagePosition, "probability": stageProbability, "category": stageCategory}},
		{KindActivities, map[string]int{"activity_id": actID, "rep_id": actRep, "kind": actKind, "occurred_at": actOccurred,
			"account_id": actAccount, "deal_id": actDeal}},
		{KindDeals, map[string]int{"deal_id": dealID, "rep_id": dealRep, "account_id": dealAccount, "stage": dealStage,
			"status": dealStatus, "amount": dealAmount, "created_at": dealCreated, "close_date": dealCloseDate,
			"closed_at": dealClosed, "updated_at": dealUpdated, "source": dealSource}},
	}
	for _, tt := range tests {
		cols := tt.kind.Columns()
		if len(cols) != len(tt.pos) {
			t.Errorf("%s has %d columns, constants cover %d", tt.kind, len(cols), len(tt.pos))
		}
		for name, pos := range tt.pos {
			if pos >= len(cols) || cols[pos] != name {
				t.Errorf("%s: constant for %s is %d, schema says %d", tt.kind, name, pos, slices.Index(cols, name))
			}
		}
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{{"reps", KindReps}, {"Rep", KindReps}, {" quotas ", KindQuotas}, {"stage", KindStages}, {"activity", KindActivities},
		{"ACTIVITIES", KindActivities}, {"deal", KindDeals}, {"deals", KindDeals}}
	for _, tt := range tests {
		if got, err := ParseKind(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "leads", "dealss"} {
		if _, err := ParseKind(in); err == nil {
			t.Errorf("ParseKind(%q) should fail", in)
		}
	}
}

func TestRequiredColumns(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{KindReps, "rep_id name"},
		{KindQuotas, "rep_id period amount"},
		{KindStages, "stage position probability category"},
		{KindActivities, "activity_id rep_id kind occurred_at"},
		{KindDeals, "deal_id rep_id stage status amount updated_at"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.kind.RequiredColumns(), " "); got != tt.want {
			t.Errorf("%s required = %s, want %s", tt.kind, got, tt.want)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	conv := NewActivityConverter(nil)
	tests := []struct {
		name   string
		header *Header
		want   string
	}{
		{"complete", NewHeader([]string{"activity_id", "rep_id", "kind", "occurred_at"}), ""},
		{"nil header (JSON)", nil, ""},
		{"missing", NewHeader([]string{"Activity_ID", "kind", "extra"}),
			"a.csv: missing required columns rep_id, occurred_at (header has: Activity_ID, kind, extra)"},
		{"doubled", NewHeader([]string{"activity_id", "rep_id", "kind", "occurred_at", "Kind"}),
			"a.csv: column kind appear more than once (header has: activity_id, rep_id, kind, occurred_at, Kind)"},
		{"missing and doubled", NewHeader([]string{"activity_id", "rep_id", "kind", "kind", "deal_id", "deal_id"}),
			"a.csv: missing required column occurred_at; columns kind, deal_id appear more than once (header has: activity_id, rep_id, kind, kind, deal_id, deal_id)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := conv.CheckHeader("a.csv", tt.header)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("error = %q\n        want %q", got, tt.want)
			}
		})
	}
}

func TestConvertActivityAllocatesNothing(t *testing.T) {
	rd, err := NewReader(strings.NewReader("activity_id,rep_id,kind,occurred_at,account_id,deal_id\nA-1,r1,call,2024-03-05 10:00:00,acc,d1\n"), "a.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	conv := NewActivityConverter(time.UTC)
	var got salesrecipe.Activity
	allocs := testing.AllocsPerRun(100, func() {
		if got, err = conv.Convert(rec); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Convert allocates %v times per valid row, want 0", allocs)
	}
	want := salesrecipe.Activity{ID: "A-1", RepID: "r1", Kind: "call", OccurredAt: time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC), AccountID: "acc", DealID: "d1"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestConvertStageProbability(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"0.25", 0.25, ""}, {"25%", 0.25, ""}, {"25 %", 0.25, ""}, {"100%", 1, ""},
		{"high", 0, `stages.csv:2: column probability: value "high": not a number (want 0 to 1, or a percentage like 80%)`},
		{"25", 0, `stages.csv:2: column probability: value "25": want a number from 0 to 1`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader("stage,position,probability,category\nDemo,2,"+tt.in+",pipeline\n"), "stages.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewStageConverter().Convert(rec)
			switch {
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Errorf("error = %v, want %s", err, tt.err)
			case tt.err == "" && (err != nil || s.Probability != tt.want):
				t.Errorf("got %v, %v; want %v", s.Probability, err, tt.want)
			}
		})
	}
}

func activitySource(t *testing.T, rows ...string) *Reader {
	t.Helper()
	in := "activity_id,rep_id,kind,occurred_at\n" + strings.Join(rows, "\n") + "\n"
	rd, err := NewReader(strings.NewReader(in), "a.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

func TestLoadStopsOnFirstRejectWithoutHandler(t *testing.T) {
	rd := activitySource(t, "A-1,r1,call,2024-03-05", "A-2,,call,2024-03-05", "A-3,r1,call,2024-03-05")
	var ids []string
	st, err := Load(context.Background(), rd, NewActivityConverter(nil), func(a salesrecipe.Activity) error {
		ids = append(ids, a.ID)
		return nil
	}, nil)
	var rowErr *RowError
	if !errors.As(err, &rowErr) || rowErr.Line != 3 || rowErr.Raw != "A-2,,call,2024-03-05" {
		t.Fatalf("error = %#v, want the RowError of line 3", err)
	}
	if !slices.Equal(ids, []string{"A-1"}) || st != (Stats{Records: 2, Accepted: 1, Rejected: 1}) {
		t.Errorf("ids %v stats %+v", ids, st)
	}
}

func TestLoadStopsOnAcceptError(t *testing.T) {
	rd := activitySource(t, "A-1,r1,call,2024-03-05", "A-2,r1,call,2024-03-05")
	boom := errors.New("disk full")
	_, err := Load(context.Background(), rd, NewActivityConverter(nil), func(salesrecipe.Activity) error { return boom }, nil)
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
}

func TestLoadHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, activitySource(t, "A-1,r1,call,2024-03-05"), NewActivityConverter(nil),
		func(salesrecipe.Activity) error { return nil }, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestCollector(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		add   int
		want  string
	}{
		{"none", 3, 0, ""},
		{"under limit", 3, 2, "e1\ne2"},
		{"at limit", 3, 3, "e1\ne2\ne3"},
		{"one more", 3, 4, "e1\ne2\ne3\n... and 1 more problem of other columns or reasons"},
		{"many more", 2, 1236, "e1\ne2\n... and 1,234 more problems of other columns or reasons"},
		{"default limit", 0, DefaultMaxErrors + 1000, "... and 1,000 more problems of other columns or reasons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCollector(tt.limit)
			c.Add(nil)
			for i := 1; i <= tt.add; i++ {
				c.Add(fmt.Errorf("e%d", i))
			}
			if c.Len() != tt.add {
				t.Errorf("Len() = %d, want %d", c.Len(), tt.add)
			}
			err := c.Err()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.want)):
				t.Errorf("Err() = %v\n want suffix %q", err, tt.want)
			}
		})
	}
}

func TestCollectorKeepsRowErrors(t *testing.T) {
	c := NewCollector(0)
	rd := activitySource(t, "A-1,,call,2024-03-05", "A-2,r1,Cold Call,2024-03-05")
	_, err := Load(context.Background(), rd, NewActivityConverter(nil), func(salesrecipe.Activity) error { return nil },
		func(e *RowError) error { c.Add(e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var rowErr *RowError
	if !errors.As(c.Err(), &rowErr) || rowErr.Line != 2 {
		t.Errorf("errors.As through the list = %v", rowErr)
	}
	want := "a.csv:2: column rep_id: required\n" +
		`a.csv:3: column kind: value "Cold Call": want a lowercase word: a letter, then letters, digits or _`
	if c.Err().Error() != want {
		t.Errorf("Err() = %q\nwant %q", c.Err(), want)
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {100000, "100,000"}}
	for _, tt := range tests {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

func TestEveryStoredKindHasAFileSchema(t *testing.T) {
	for _, k := range Kinds() {
		if len(k.RequiredColumns()) == 0 || len(k.Columns()) < len(k.RequiredColumns()) {
			t.Errorf("%s: columns %v, required %v", k, k.Columns(), k.RequiredColumns())
		}
		if got, err := ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
}
