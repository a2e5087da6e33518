package synth

import (
	"testing"
	"time"
)

func TestRowsAreCanonical(t *testing.T) {
	midMonth := testConfig(12, 6, 3)
	midMonth.End = time.Date(2025, 3, 14, 13, 30, 0, 0, time.UTC)
	shortfall := testConfig(10, 5, 4)
	shortfall.Shortfall = true
	lateKind := testConfig(10, 8, 5)
	lateKind.Kinds[3].FirstMonth = 5
	oneMonth := testConfig(2, 1, 6)
	busy := testConfig(3, 4, 7)
	busy.ActivitiesPerDay = 60
	velocity := HighVelocityConfig()
	velocity.Reps, velocity.Months, velocity.End = 12, 6, busy.End
	knobs := testConfig(12, 8, 8)
	knobs.End = midMonth.End
	knobs.Knobs = Knobs{StageBlindWins: true, StageFileFactor: 2.5, CloseOptimismMinDays: 14, CloseOptimismMaxDays: 21,
		SeasonAmplitude: 3, Turnover: 0.5, LagPeak: 2}
	knobs.Kinds = StretchLags(knobs.Kinds, 2)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default small", testConfig(15, 12, 1)},
		{"end mid-month on a weekday", midMonth},
		{"shortfall planted", shortfall},
		{"kind appears late", lateKind},
		{"one month", oneMonth},
		{"busy reps", busy},
		{"high-velocity firm", velocity},
		{"every mechanic knob", knobs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := generate(t, tc.cfg)
			reps := checkReps(t, o)
			checkQuotas(t, o, reps)
			checkStages(t, o)
			deals := checkDeals(t, o, reps)
			checkActivities(t, o, reps, deals)
		})
	}
}

func checkReps(t *testing.T, o *output) map[string]bool {
	recs := readCSV(t, bytesReader(&o.reps), repsHeader)
	reps := make(map[string]bool, len(recs))
	for _, r := range recs {
		if reps[r[0]] || r[1] == "" || r[2] == "" || r[3] == "" {
			t.Fatalf("bad or duplicate rep row %v", r)
		}
		reps[r[0]] = true
	}
	for _, r := range recs {
		if r[4] != "" && (!reps[r[4]] || r[4] == r[0]) {
			t.Errorf("rep %s has unknown manager %q", r[0], r[4])
		}
	}
	if int64(len(reps)) != o.truth.Rows.Reps || len(reps) != o.truth.Config.Reps {
		t.Errorf("%d reps, truth says %d", len(reps), o.truth.Rows.Reps)
	}
	return reps
}

func checkQuotas(t *testing.T, o *output, reps map[string]bool) {
	seen := map[string]bool{}
	for _, r := range readCSV(t, bytesReader(&o.quotas), quotasHeader) {
		d, err := time.Parse(time.DateOnly, r[1])
		switch {
		case err != nil || d.Day() != 1 || d.Before(o.truth.Start) || !d.Before(o.truth.End):
			t.Errorf("bad period_start in %v", r)
		case !reps[r[0]] || r[2] != "month" || parseAmount(t, r[3]) < 0 || seen[r[0]+r[1]]:
			t.Errorf("bad or duplicate quota row %v", r)
		}
		seen[r[0]+r[1]] = true
	}
}

func checkStages(t *testing.T, o *output) {
	cats := map[string]bool{"pipeline": true, "best_case": true, "commit": true, "closed": true, "omitted": true}
	recs := readCSV(t, bytesReader(&o.stages), stagesHeader)
	if len(recs) != nStages {
		t.Fatalf("%d stages, want %d", len(recs), nStages)
	}
	for i, r := range recs {
		p := parseAmount(t, r[2])
		if r[0] != stageNames()[i] || r[1] != string(rune('1'+i)) || p < 0 || p > 1 || !cats[r[3]] {
			t.Errorf("bad stage row %v", r)
		}
	}
}

// checkDeals checks every version and returns the final version of each deal.
func checkDeals(t *testing.T, o *output, reps map[string]bool) map[string]dealRow {
	rows := o.dealRows(t)
	done := map[string]bool{}
	var prev dealRow
	for i, r := range rows {
		first := i == 0 || r.id != prev.id
		if first && done[r.id] {
			t.Fatalf("versions of %s are not contiguous", r.id)
		}
		done[r.id] = true
		checkVersion(t, o.truth.End, r, prev, first, reps)
		prev = r
	}
	if int64(len(rows)) != o.truth.Rows.DealVersions || int64(len(done)) > o.truth.Rows.Deals {
		t.Errorf("%d versions of %d deals, truth says %+v", len(rows), len(done), o.truth.Rows)
	}
	return finals(rows)
}

func checkVersion(t *testing.T, end time.Time, r, prev dealRow, first bool, reps map[string]bool) {
	closed := r.status == "won" || r.status == "lost"
	wantStage := map[string]string{"won": "closed_won", "lost": "closed_lost"}[r.status]
	switch {
	case !reps[r.rep] || r.account == "" || r.amount < 0:
		t.Errorf("bad deal row %+v", r)
	case !r.updated.Before(end):
		t.Errorf("deal %s version at %v is not before the end %v", r.id, r.updated, end)
	case closed != !r.closed.IsZero() || (closed && !r.closed.Equal(r.updated)):
		t.Errorf("deal %s: closed_at %v with status %s", r.id, r.closed, r.status)
	case closed && r.stage != wantStage, !closed && (r.status != "open" || r.stage == "closed_won" || r.stage == "closed_lost"):
		t.Errorf("deal %s: stage %s with status %s", r.id, r.stage, r.status)
	case r.closeDate < r.created.Format(time.DateOnly):
		t.Errorf("deal %s: close date %s before creation %v", r.id, r.closeDate, r.created)
	case first && !r.updated.Equal(r.created):
		t.Errorf("deal %s: first version at %v, created %v", r.id, r.updated, r.created)
	case !first && (prev.status != "open" || !r.updated.After(prev.updated)):
		t.Errorf("deal %s: version at %v after %v (status %s)", r.id, r.updated, prev.updated, prev.status)
	case !first && (r.rep != prev.rep || r.account != prev.account || !r.created.Equal(prev.created)):
		t.Errorf("deal %s changed rep, account or creation", r.id)
	}
}

func checkActivities(t *testing.T, o *output, reps map[string]bool, deals map[string]dealRow) {
	kinds := map[string]bool{}
	for _, k := range o.truth.Config.Kinds {
		kinds[k.Name] = true
	}
	ids, sourced := map[string]bool{}, map[string]bool{}
	for _, a := range o.activities(t) {
		checkActivityTime(t, o.truth, a)
		if ids[a.id] || !reps[a.rep] || !kinds[a.kind] || a.account == "" {
			t.Fatalf("bad or duplicate activity %+v", a)
		}
		ids[a.id] = true
		if a.deal == "" {
			continue
		}
		d, ok := deals[a.deal]
		switch {
		case !ok || d.rep != a.rep || d.account != a.account || a.at.Before(d.created):
			t.Errorf("activity %s links deal %s wrongly (%+v)", a.id, a.deal, d)
		case !d.closed.IsZero() && !a.at.Before(d.closed):
			t.Errorf("activity %s touches deal %s after it closed", a.id, a.deal)
		case a.at.Equal(d.created) && sourced[a.deal]:
			t.Errorf("deal %s sourced twice", a.deal)
		}
		sourced[a.deal] = sourced[a.deal] || a.at.Equal(d.created)
	}
	if int64(len(ids)) != o.truth.Rows.Activities {
		t.Errorf("%d activities, truth says %d", len(ids), o.truth.Rows.Activities)
	}
}

func checkActivityTime(t *testing.T, tr Truth, a activityRow) {
	wd, h := a.at.Weekday(), a.at.Hour()
	if wd == time.Saturday || wd == time.Sunday || h < 8 || h >= 18 || a.at.Before(tr.Start) || !a.at.Before(tr.End) {
		t.Errorf("activity %s at %v outside working hours or history", a.id, a.at)
	}
}
