package dashboards

import (
	"context"
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
	key := "forecast\x00" + firm + "\x00" + q.key() + "\x00" + s.cfg.Refits.Generation(firm)
	return cached(ctx, s, key, func(ctx context.Context) (*forecast.Forecast, error) {
		save := q.now && s.snapshotDue(firm, q)
		fc := &forecast.Forecaster{Store: s.cfg.Store, Now: s.cfg.Now, SaveFailed: func(ctx context.Context, what string, err error) {
			s.log.WarnContext(ctx, "forecast served without its "+what+": saving it failed", "firm", firm, "err", err)
			if what == "snapshot" {
				s.snapshotUndo(firm, q) // a later request tries again
			}
			if s.cfg.SaveFailed != nil {
				s.cfg.SaveFailed(what)
			}
		}}
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
	k := snapshotKey(firm, q)
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
	delete(s.snapped, snapshotKey(firm, q))
}

// snapshotKey names the daily snapshot of a firm's period: firm, period and as-of day.
func snapshotKey(firm string, q params) string {
	return firm + "\x00" + q.period.String() + "\x00" + q.asOf.Format(time.DateOnly)
}

// view is a forecast cut down to what one viewer sees: their reps, their
// teams, and FirmTotal over exactly those reps.
type view struct {
	*forecast.Forecast
	// TotalLabel names what FirmTotal covers: the firm, one team, the viewer's teams or their own row.
	TotalLabel string
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
	// total is the viewer's total; summed is set when it adds team rows: its
	// interval is then the sum of the team intervals, wider than the joint one
	// (the forecast keeps no draws for arbitrary sets of teams).
	var total forecast.Money
	summed := false
	switch {
	case who.seesFirm():
		total, v.TotalLabel = fc.FirmTotal.Money, "all reps"
	case who.user.Role == RoleManager && len(out.Teams) == 1:
		total, v.TotalLabel = out.Teams[0].Money, "team "+out.Teams[0].Team
	case who.user.Role == RoleManager:
		total, v.TotalLabel, summed = sumTeams(out.Teams), "your teams", len(out.Teams) > 1
		if len(out.Teams) == 0 {
			v.TotalLabel = "no reps of your teams in this forecast"
		}
	case len(out.Reps) == 1:
		total, v.TotalLabel = out.Reps[0].Money, "your own numbers"
	default:
		v.TotalLabel = "no forecast row of yours"
	}
	if summed {
		out.Notes = append(append([]string(nil), out.Notes...), "The total of your teams adds the teams' 80% intervals: it is wider than the joint interval.")
	}
	out.FirmTotal = forecast.Total{Money: total, Reps: len(out.Reps)}
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
		m.FromPipeline += t.FromPipeline
		m.FromNewBusiness += t.FromNewBusiness
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
	if hasQuota {
		m.Quota = &quota
	}
	m.Derive()
	return m
}

// trendPoint is the viewer's total as one stored snapshot saw it.
type trendPoint struct {
	AsOf                                  time.Time
	Quota, ClosedWon, Forecast, Low, High float64
	// FromPipeline and FromNewBusiness split Forecast - ClosedWon; NaN from a snapshot stored before they were kept.
	FromPipeline, FromNewBusiness float64
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
// total: the firm's or their own, or the sum of their teams' rows (rounded to
// cents, as a summed forecast row is).
func trendOf(snaps []queries.Snapshot, who *viewer) (trendPoint, bool) {
	var sum trendPoint
	teams := 0
	for _, sn := range snaps {
		switch {
		case who.seesFirm():
			if sn.Level == "firm" {
				return pointOf(sn), true
			}
		case who.user.Role == RoleManager:
			if sn.Level == "team" && who.seesTeam(sn.Key) {
				if sn.Quota > 0 {
					sum.Quota += sn.Quota
				}
				sum.ClosedWon += sn.ClosedWon
				sum.Forecast += sn.Forecast
				sum.FromPipeline += sn.FromPipeline
				sum.FromNewBusiness += sn.FromNewBusiness
				sum.Low += sn.Low
				sum.High += sn.High
				teams++
			}
		case sn.Level == "rep" && sn.Key == who.user.RepID:
			return pointOf(sn), true
		}
	}
	if teams == 0 {
		return trendPoint{}, false
	}
	for _, v := range []*float64{&sum.Quota, &sum.ClosedWon, &sum.Forecast, &sum.Low, &sum.High, &sum.FromPipeline, &sum.FromNewBusiness} {
		*v = round2(*v)
	}
	return sum, true
}

// pointOf reads a snapshot row.
func pointOf(sn queries.Snapshot) trendPoint {
	return trendPoint{Quota: sn.Quota, ClosedWon: sn.ClosedWon, Forecast: sn.Forecast, Low: sn.Low, High: sn.High,
		FromPipeline: sn.FromPipeline, FromNewBusiness: sn.FromNewBusiness}
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
