package synth

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// TestShapes checks that deals-only drops the activity rows and snapshot keeps exactly each deal's latest full
// version, while the firm's truth and static files stay the same.
func TestShapes(t *testing.T) {
	base := testConfig(6, 8, 3)
	full := generate(t, base)
	fullDeals := readCSV(t, bytes.NewReader(full.deals.Bytes()), dealsHeader)
	latest := map[string][]string{}
	for _, r := range fullDeals {
		if prev, ok := latest[r[0]]; !ok || r[9] >= prev[9] {
			latest[r[0]] = r
		}
	}
	for _, tc := range []struct {
		shape     Shape
		wantDeals [][]string
	}{
		{ShapeFull, fullDeals},
		{ShapeDealsOnly, fullDeals},
		{ShapeSnapshot, nil},
	} {
		t.Run(string(tc.shape), func(t *testing.T) {
			cfg := base
			cfg.Shape = tc.shape
			o := generate(t, cfg)
			acts := readCSV(t, bytes.NewReader(o.acts.Bytes()), activitiesHeader)
			if wantActs := tc.shape == ShapeFull; (len(acts) > 0) != wantActs {
				t.Errorf("%d activity rows, want rows: %v", len(acts), wantActs)
			}
			if int64(len(acts)) != o.truth.Rows.Activities {
				t.Errorf("truth counts %d activity rows, file has %d", o.truth.Rows.Activities, len(acts))
			}
			deals := readCSV(t, bytes.NewReader(o.deals.Bytes()), dealsHeader)
			if int64(len(deals)) != o.truth.Rows.DealVersions {
				t.Errorf("truth counts %d deal rows, file has %d", o.truth.Rows.DealVersions, len(deals))
			}
			if tc.wantDeals != nil && !reflect.DeepEqual(deals, tc.wantDeals) {
				t.Errorf("deal rows differ from the full shape's (%d rows, want %d)", len(deals), len(tc.wantDeals))
			}
			if tc.shape == ShapeSnapshot {
				checkSnapshot(t, deals, latest)
			}
			for name, pair := range map[string][2]*bytes.Buffer{"reps": {&o.reps, &full.reps}, "quotas": {&o.quotas, &full.quotas}, "stages": {&o.stages, &full.stages}} {
				if !bytes.Equal(pair[0].Bytes(), pair[1].Bytes()) {
					t.Errorf("%s.csv differs from the full shape's", name)
				}
			}
			got, want := o.truth, full.truth
			got.Rows, want.Rows, got.Config.Shape = RowCounts{}, RowCounts{}, ""
			if !reflect.DeepEqual(got, want) {
				t.Error("truth differs from the full shape's")
			}
		})
	}
}

// checkSnapshot wants one row per deal, equal to the deal's latest row in the full file.
func checkSnapshot(t *testing.T, deals [][]string, latest map[string][]string) {
	t.Helper()
	if len(deals) != len(latest) {
		t.Errorf("%d snapshot rows, want one per deal: %d", len(deals), len(latest))
	}
	closed := 0
	for _, r := range deals {
		if !reflect.DeepEqual(r, latest[r[0]]) {
			t.Errorf("deal %s: snapshot row %v, want its latest version %v", r[0], r, latest[r[0]])
		}
		if r[4] != "open" {
			closed++
		}
	}
	if closed == 0 || closed == len(deals) {
		t.Errorf("%d of %d snapshot rows closed, want both open and closed deals", closed, len(deals))
	}
}

func TestParseShape(t *testing.T) {
	for _, s := range Shapes() {
		if got, err := ParseShape(string(s)); err != nil || got != s {
			t.Errorf("ParseShape(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseShape("partial"); err == nil {
		t.Error("ParseShape(partial) succeeded")
	}
	cfg := testConfig(2, 2, 1)
	cfg.Shape = "partial"
	if cfg.Validate() == nil {
		t.Error("a config with shape partial is valid")
	}
}

// TestSnapshotHistoryShowsThePipelineThen checks what the store makes of a snapshot (salesrecipe.CompleteHistory,
// the store's rules in memory): at every month start, the same deals are open as in the full history.
func TestSnapshotHistoryShowsThePipelineThen(t *testing.T) {
	cfg := testConfig(6, 8, 3)
	full := readCSV(t, bytes.NewReader(generate(t, cfg).deals.Bytes()), dealsHeader)
	cfg.Shape = ShapeSnapshot
	snap := readCSV(t, bytes.NewReader(generate(t, cfg).deals.Bytes()), dealsHeader)
	stored, _ := salesrecipe.CompleteHistory(toDeals(t, snap))
	history := toDeals(t, full)
	checked := 0
	for m := range cfg.Months {
		at := cfg.Start().AddDate(0, m, 0)
		want, got := openAt(history, at), openAt(stored, at)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d deals open from the snapshot, %d in the full history", at.Format(time.DateOnly), len(got), len(want))
		}
		checked += len(want)
	}
	if checked == 0 {
		t.Fatal("no deal open at any month start; the test compares nothing")
	}
}

// toDeals reads deal rows (dealsHeader's columns) as deal versions.
func toDeals(t *testing.T, rows [][]string) []salesrecipe.Deal {
	t.Helper()
	parse := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	out := make([]salesrecipe.Deal, len(rows))
	for i, r := range rows {
		out[i] = salesrecipe.Deal{ID: r[0], RepID: r[1], AccountID: r[2], Stage: r[3], Status: salesrecipe.DealStatus(r[4]),
			CreatedAt: parse(r[6]), ClosedAt: parse(r[8]), UpdatedAt: parse(r[9])}
	}
	return out
}

// openAt returns the ids of the deals whose latest version at t is open.
func openAt(versions []salesrecipe.Deal, t time.Time) map[string]bool {
	latest := map[string]salesrecipe.Deal{}
	for _, v := range versions {
		if l, ok := latest[v.ID]; !v.UpdatedAt.After(t) && (!ok || v.UpdatedAt.After(l.UpdatedAt)) {
			latest[v.ID] = v
		}
	}
	open := map[string]bool{}
	for id, v := range latest {
		if v.Status == salesrecipe.StatusOpen {
			open[id] = true
		}
	}
	return open
}

// TestWriteCRM writes a snapshot firm as a CRM export: every deal is one opportunity of a named agent, closed ones
// dated and valued (lost at 0), open ones without either, prospects without an engage date; every agent is a team row.
func TestWriteCRM(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Reps, cfg.Months, cfg.Shape = 6, 6, ShapeSnapshot
	cfg.End = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	tr, opps, teams := writeCRMFirm(t, cfg)
	agents := map[string]bool{}
	for _, r := range teams {
		agents[r["sales_agent"]] = r["manager"] != "" && r["regional_office"] != ""
	}
	if len(teams) != cfg.Reps || len(opps) != int(tr.Rows.Deals) {
		t.Fatalf("%d team rows for %d reps, %d opportunities for %d deals", len(teams), cfg.Reps, len(opps), tr.Rows.Deals)
	}
	stages := map[string]int{}
	for _, o := range opps {
		stages[o["deal_stage"]]++
		closed := o["deal_stage"] == "Won" || o["deal_stage"] == "Lost"
		ok := agents[o["sales_agent"]] && closed == (o["close_date"] != "") && closed == (o["close_value"] != "") &&
			(o["deal_stage"] == "Prospecting") == (o["engage_date"] == "") && (o["deal_stage"] != "Lost" || o["close_value"] == "0")
		if !ok {
			t.Fatalf("opportunity %v", o)
		}
	}
	if stages["Won"] == 0 || stages["Lost"] == 0 || stages["Engaging"]+stages["Prospecting"] == 0 {
		t.Errorf("stages %v", stages)
	}
}

// TestCRMAgentNamesAreUnique writes CRM exports of several sizes: a CRM names reps by name only, so every agent
// name must be unique and every opportunity's agent a row of the teams file.
func TestCRMAgentNamesAreUnique(t *testing.T) {
	for _, reps := range []int{12, 30, 200, 700} {
		t.Run(strconv.Itoa(reps), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Reps, cfg.Months, cfg.Seed, cfg.Shape = reps, 3, 42, ShapeSnapshot
			cfg.End = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
			_, opps, teams := writeCRMFirm(t, cfg)
			agents := map[string]bool{}
			for _, r := range teams {
				if agents[r["sales_agent"]] {
					t.Fatalf("agent %q is in the teams file twice", r["sales_agent"])
				}
				agents[r["sales_agent"]] = true
			}
			if len(agents) != reps {
				t.Fatalf("%d agents for %d reps", len(agents), reps)
			}
			for _, o := range opps {
				if !agents[o["sales_agent"]] {
					t.Fatalf("opportunity %s: agent %q is not in the teams file", o["opportunity_id"], o["sales_agent"])
				}
			}
		})
	}
}

// writeCRMFirm writes a firm and its CRM export into a temporary directory and reads back the export's files.
func writeCRMFirm(t *testing.T, cfg Config) (tr Truth, opps, teams []map[string]string) {
	t.Helper()
	dir := t.TempDir()
	tr, err := WriteDir(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCRM(dir); err != nil {
		t.Fatal(err)
	}
	if opps, err = readCSVMaps(filepath.Join(dir, CRMOpportunities)); err != nil {
		t.Fatal(err)
	}
	if teams, err = readCSVMaps(filepath.Join(dir, CRMTeams)); err != nil {
		t.Fatal(err)
	}
	return tr, opps, teams
}

// TestUniqueNameNeverRepeats draws one name again and again: the first is plain, the next 26 take a middle
// initial and the rest a number, so no count of reps runs out of names (TestCRMAgentNamesAreUnique reaches only
// the initials).
func TestUniqueNameNeverRepeats(t *testing.T) {
	taken := map[string]bool{}
	var got []string
	for range 100 {
		got = append(got, uniqueName(taken, "Quinn", "Silva"))
	}
	for _, tc := range []struct {
		draw int
		want string
	}{{1, "Quinn Silva"}, {2, "Quinn A. Silva"}, {27, "Quinn Z. Silva"}, {28, "Quinn Silva 2"}, {100, "Quinn Silva 74"}} {
		if got[tc.draw-1] != tc.want {
			t.Errorf("draw %d: %q, want %q", tc.draw, got[tc.draw-1], tc.want)
		}
	}
	if len(taken) != len(got) {
		t.Errorf("%d names for %d draws", len(taken), len(got))
	}
	if uniqueName(taken, "Quinn", "Adams") != "Quinn Adams" {
		t.Error("another surname should stay plain")
	}
}
