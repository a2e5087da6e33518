package dashboards

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// TestSnapshotsKeepTheSplit serves the team page, which stores the day's forecast snapshot: every stored row
// splits its forecast into closed won + from pipeline + from new business (to the cent), and the trend table
// shows both parts.
func TestSnapshotsKeepTheSplit(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "admin", "/team")
	b := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("team page: status %d", res.StatusCode)
	}
	snaps, err := f.st.Snapshots(context.Background(), "acme", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(snaps) == 0 {
		t.Fatalf("no snapshot stored: %v", err)
	}
	var pipe, fresh float64
	for _, sn := range snaps {
		if d := sn.ClosedWon + sn.FromPipeline + sn.FromNewBusiness - sn.Forecast; math.IsNaN(d) || math.Abs(d) > 0.011 {
			t.Errorf("%s %s: closed %.2f + pipeline %.2f + new business %.2f != forecast %.2f", sn.Level, sn.Key,
				sn.ClosedWon, sn.FromPipeline, sn.FromNewBusiness, sn.Forecast)
		}
		if sn.Level == "firm" {
			pipe, fresh = sn.FromPipeline, sn.FromNewBusiness
		}
	}
	if pipe <= 0 || fresh <= 0 {
		t.Errorf("firm row: %.2f from pipeline, %.2f from new business; want both parts", pipe, fresh)
	}
	if !strings.Contains(b, "From new business") || !strings.Contains(b, formatMoney(pipe)) {
		t.Errorf("the trend does not show the firm's %s from pipeline", formatMoney(pipe))
	}
}

// TestTrendWithoutTheSplit checks that a snapshot stored before the split was kept shows a dash for its parts,
// and the parts of one that has them.
func TestTrendWithoutTheSplit(t *testing.T) {
	at := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	points := []trendPoint{
		{AsOf: at, ClosedWon: 100, Forecast: 300, FromPipeline: math.NaN(), FromNewBusiness: math.NaN()},
		{AsOf: at.AddDate(0, 0, 1), ClosedWon: 120, Forecast: 310, FromPipeline: 140, FromNewBusiness: 50},
	}
	sec, err := trendSection(points, &request{q: params{period: salesrecipe.NewPeriod(salesrecipe.GrainMonth, at)}})
	if err != nil {
		t.Fatal(err)
	}
	if old, cur := sec.Table.Rows[0], sec.Table.Rows[1]; old[3].Text != "—" || old[4].Text != "—" || cur[3].Text != formatMoney(140) || cur[4].Text != formatMoney(50) {
		t.Errorf("rows %v / %v: want dashes for the old snapshot's parts, then 140 and 50", old[3:5], cur[3:5])
	}
}
