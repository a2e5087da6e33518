package dashboards

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// firmForecast is the whole firm's forecast of a selection, cached per firm
// and selection. When the selection is "now" the run is stored as a snapshot
// once a day per firm and period, so the trend charts fill as people look.
func (s *Server) firmForecast(ctx context.Context, firm string, q params) (*forecast.Forecast, error) {
	key := "forecast\x00" + firm + "\x00" + q.key()
	return cached(ctx, s, key, func(ctx context.Context) (*forecast.Forecast, error) {
		fc := &forecast.Forecaster{Store: s.cfg.Store, Now: s.cfg.Now}
		save := q.now && s.snapshotDue(firm, q)
		out, err := fc.Forecast(ctx, forecast.Request{Firm: firm, Period: q.period, AsOf: q.asOf, NoSave: !save})
		if err != nil {
			if save {
				s.snapshotUndo(firm, q)
			}
			return nil, err
		}
		return out, nil
	})
}

// snapshotDue reports whether today's snapshot of a firm's period is still to be stored, and claims it.
func (s *Server) snapshotDue(firm string, q params) bool {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	k := firm + "\x00" + q.period.String() + "\x00" + q.asOf.Format(time.DateOnly)
	if s.snapped[k] {
		return false
	}
	s.snapped[k] = true
	return true
}

// snapshotUndo releases a claim whose forecast failed.
func (s *Server) snapshotUndo(firm string, q params) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	delete(s.snapped, firm+"\x00"+q.period.String()+"\x00"+q.asOf.Format(time.DateOnly))
}

// view is a forecast cut down to what one viewer sees: their reps, their
// teams, and Total over exactly those reps.
type view struct {
	*forecast.Forecast
	// Total is the viewer's total: the firm's, one team's, their teams' or their own.
	Total forecast.Money
	// TotalLabel names what Total covers.
	TotalLabel string
	// Summed is set when Total adds team rows: its interval is then the sum of
	// the team intervals, wider than the joint one (the forecast keeps no draws
	// for arbitrary sets of teams).
	Summed bool
}

// viewOf filters a forecast to the viewer: the one place forecast rows are cut to a scope.
func viewOf(fc *forecast.Forecast, who *viewer) *view {
	out := *fc
	out.Reps = nil
	for _, r := range fc.Reps {
		if who.seesRep(r.RepID, r.Team) {
			out.Reps = append(out.Reps, r)
		}
	}
	out.Teams = nil
	for _, t := range fc.Teams {
		if who.seesTeam(t.Team) {
			out.Teams = append(out.Teams, t)
		}
	}
	v := &view{Forecast: &out}
	switch {
	case who.seesFirm():
		v.Total, v.TotalLabel = fc.FirmTotal.Money, "all reps"
	case who.user.Role == RoleManager && len(out.Teams) == 1:
		v.Total, v.TotalLabel = out.Teams[0].Money, "team "+out.Teams[0].Team
	case who.user.Role == RoleManager:
		v.Total, v.TotalLabel, v.Summed = sumTeams(out.Teams), "your teams", len(out.Teams) > 1
		if len(out.Teams) == 0 {
			v.TotalLabel = "no reps of your teams in this forecast"
		}
	case len(out.Reps) == 1:
		v.Total, v.TotalLabel = out.Reps[0].Money, "your own numbers"
	default:
		v.TotalLabel = "no forecast row of yours"
	}
	if v.Summed {
		out.Notes = append(append([]string(nil), out.Notes...), "The total of your teams adds the teams' 80% intervals: it is wider than the joint interval.")
	}
	out.FirmTotal = forecast.Total{Money: v.Total, Reps: len(out.Reps)}
	return v
}

// sumTeams adds team rows: money adds, the interval ends add (a conservative
// interval of the sum), ratios follow the forecast's definitions on the sums.
func sumTeams(teams []forecast.TeamRow) forecast.Money {
	var m forecast.Money
	var quota float64
	hasQuota := false
	for _, t := range teams {
		m.ClosedWon += t.ClosedWon
		m.PipelineOpen += t.PipelineOpen
		m.PipelineWeighted += t.PipelineWeighted
		m.Forecast += t.Forecast
		m.Low += t.Low
		m.High += t.High
		if t.Quota != nil {
			quota += *t.Quota
			hasQuota = true
		}
	}
	return withRatios(m, quota, hasQuota)
}

// withRatios rounds the money and fills the ratios as the forecast defines
// them: required coverage = open / weighted pipeline, attainment = forecast /
// quota, coverage = open / (quota - closed won), gap = quota - forecast.
func withRatios(m forecast.Money, quota float64, hasQuota bool) forecast.Money {
	m.RequiredCoverage = roundRatio(ratioOf(m.PipelineOpen, m.PipelineWeighted))
	if hasQuota {
		m.Quota = ptr(round2(quota))
		m.Attainment = roundRatio(ratioOf(m.Forecast, quota))
		m.Coverage = roundRatio(ratioOf(m.PipelineOpen, quota-m.ClosedWon))
		m.Gap = ptr(round2(quota - m.Forecast))
	}
	for _, v := range []*float64{&m.ClosedWon, &m.PipelineOpen, &m.PipelineWeighted, &m.Forecast, &m.Low, &m.High} {
		*v = round2(*v)
	}
	return m
}

// roundRatio rounds an optional ratio to four decimals.
func roundRatio(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return ptr(round4(*v))
}

// ratioOf returns num/den, or nil when den is not positive.
func ratioOf(num, den float64) *float64 {
	if !(den > 0) {
		return nil
	}
	r := num / den
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	return &r
}

// trendPoint is the viewer's total as one stored snapshot saw it.
type trendPoint struct {
	AsOf                                  time.Time
	Quota, ClosedWon, Forecast, Low, High float64
}

// trend returns the viewer's total from every snapshot of the period stored at or before the as-of time.
func (s *Server) trend(ctx context.Context, req *request) ([]trendPoint, error) {
	rows, err := s.cfg.Store.Snapshots(ctx, req.firm, req.q.period.Start)
	if err != nil {
		return nil, err
	}
	byTime := map[time.Time][]queries.Snapshot{}
	for _, r := range rows {
		if r.Period == req.q.period.String() && !r.AsOf.After(req.q.asOf) {
			byTime[r.AsOf] = append(byTime[r.AsOf], r)
		}
	}
	var out []trendPoint
	for at, snaps := range byTime {
		if p, ok := trendOf(snaps, req.who); ok {
			p.AsOf = at
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b trendPoint) int { return a.AsOf.Compare(b.AsOf) })
	return out, nil
}

// trendOf picks, from the snapshot rows of one run, the row of the viewer's
// total: the firm's or their own, or the sum of their teams' rows.
func trendOf(snaps []queries.Snapshot, who *viewer) (trendPoint, bool) {
	var teams []forecast.TeamRow
	for _, sn := range snaps {
		switch {
		case who.seesFirm():
			if sn.Level == "firm" {
				return pointOf(sn), true
			}
		case who.user.Role == RoleManager:
			if sn.Level == "team" && who.seesTeam(sn.Key) {
				t := forecast.TeamRow{Team: sn.Key}
				t.ClosedWon, t.Forecast, t.Low, t.High = sn.ClosedWon, sn.Forecast, sn.Low, sn.High
				if sn.Quota > 0 {
					t.Quota = ptr(sn.Quota)
				}
				teams = append(teams, t)
			}
		case sn.Level == "rep" && sn.Key == who.user.RepID:
			return pointOf(sn), true
		}
	}
	if len(teams) == 0 {
		return trendPoint{}, false
	}
	m := sumTeams(teams)
	p := trendPoint{ClosedWon: m.ClosedWon, Forecast: m.Forecast, Low: m.Low, High: m.High}
	if m.Quota != nil {
		p.Quota = *m.Quota
	}
	return p, true
}

// pointOf reads a snapshot row.
func pointOf(sn queries.Snapshot) trendPoint {
	return trendPoint{Quota: sn.Quota, ClosedWon: sn.ClosedWon, Forecast: sn.Forecast, Low: sn.Low, High: sn.High}
}

// periodsBack returns the n periods before p, oldest first.
func periodsBack(p salesrecipe.Period, n int) []salesrecipe.Period {
	out := make([]salesrecipe.Period, n)
	for i := n - 1; i >= 0; i-- {
		p = p.Prev()
		out[i] = p
	}
	return out
}
