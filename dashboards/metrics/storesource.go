package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/model"
	"github.com/salesrecipe/salesrecipe/queries"
)

// z80 is the standard normal quantile of an 80% two-sided interval.
const z80 = 1.2815515655446004

// StoreSource computes snapshots from the store. With a Forecaster, the rows are the
// product's own forecast (the numbers of the dashboards and of `salesrecipe forecast`);
// without one, they come from the pipeline method: closed won so far plus every open deal
// weighted by the stage model's chance that it is won inside the period.
//
// The interval treats deals as independent wins (a normal approximation of the sum, 80%),
// clamped to [closed won, closed won + every open deal that can still be won in the period]. Required coverage is open pipeline over
// weighted pipeline: the coverage at which the pipeline's learned in-period conversion meets the
// remaining quota. The recipe's accuracy and fit time come from the latest stored recipe.
type StoreSource struct {
	// Store is read for every snapshot.
	Store *queries.Store
	// FirmList names the firms to serve.
	FirmList []string
	// Currency is the firms' currency unit.
	Currency string
	// Grain is the period length; default month.
	Grain salesrecipe.Grain
	// Forecaster, when set, computes the rows; nil uses the pipeline method.
	Forecaster *forecast.Forecaster
}

var _ Source = (*StoreSource)(nil)

// Firms lists the configured firms.
func (s *StoreSource) Firms(context.Context) ([]string, error) {
	return s.FirmList, nil
}

// Snapshot computes one firm's snapshot for the period containing now.
func (s *StoreSource) Snapshot(ctx context.Context, firm string, now time.Time) (Snapshot, error) {
	grain := s.Grain
	if grain == "" {
		grain = salesrecipe.GrainMonth
	}
	period := salesrecipe.NewPeriod(grain, now)
	snap := Snapshot{Firm: firm, Currency: s.Currency, Period: period, RecipeCVWAPE: math.NaN(), LastForecast: now}
	if err := s.rows(ctx, &snap, now); err != nil {
		return Snapshot{}, err
	}
	if rc, ok, err := s.Store.LatestRecipe(ctx, firm, string(grain), now); err != nil {
		return Snapshot{}, fmt.Errorf("latest recipe of %s: %w", firm, err)
	} else if ok {
		snap.RecipeCVWAPE, snap.LastFit = rc.CVWAPE, rc.FittedAt
	}
	var err error
	if snap.LastIngest, err = s.lastIngest(ctx, firm); err != nil {
		return Snapshot{}, err
	}
	return snap, nil
}

// rows computes the rep and team rows with the forecaster, or with the pipeline method.
func (s *StoreSource) rows(ctx context.Context, snap *Snapshot, now time.Time) error {
	if s.Forecaster != nil {
		return s.forecastSnapshot(ctx, snap)
	}
	firm, period := snap.Firm, snap.Period
	in, err := s.read(ctx, firm, period, now)
	if err != nil {
		return fmt.Errorf("snapshot of %s: %w", firm, err)
	}
	sm, err := model.FitStages(in.versions, in.stages, now, model.StageOptions{Grain: model.Grain(period.Grain)})
	if err != nil {
		return fmt.Errorf("stage model of %s: %w", firm, err)
	}
	snap.Reps = repRows(in, sm, period, now)
	snap.Teams = teamRows(snap.Reps)
	return nil
}

// inputs is what one snapshot reads from the store.
type inputs struct {
	reps     []salesrecipe.Rep
	quota    map[string]float64
	won      map[string]float64
	open     []salesrecipe.Deal
	versions []model.DealVersion
	stages   []model.StageInfo
}

// read loads reps, quotas, won revenue, open deals, deal histories and stages as of now.
func (s *StoreSource) read(ctx context.Context, firm string, period salesrecipe.Period, now time.Time) (inputs, error) {
	var in inputs
	var err error
	if in.reps, err = s.Store.Reps(ctx, firm); err != nil {
		return in, err
	}
	quotas, err := s.Store.Quotas(ctx, firm, period.Start, period.End())
	if err != nil {
		return in, err
	}
	in.quota = map[string]float64{}
	for _, q := range quotas {
		if q.Period == period.Grain && q.PeriodStart.Equal(period.Start) {
			in.quota[q.RepID] += q.Amount
		}
	}
	won, err := s.Store.WonRevenue(ctx, firm, period.Grain, period.Start, period.End(), now)
	if err != nil {
		return in, err
	}
	in.won = map[string]float64{}
	for _, w := range won {
		in.won[w.RepID] += w.Amount
	}
	deals, err := s.Store.DealsAsOf(ctx, firm, now)
	if err != nil {
		return in, err
	}
	for _, d := range deals {
		if d.Status == salesrecipe.StatusOpen {
			in.open = append(in.open, d)
		}
	}
	versions, err := s.Store.DealVersions(ctx, firm, now)
	if err != nil {
		return in, err
	}
	for _, v := range versions {
		in.versions = append(in.versions, model.DealVersion{DealID: v.ID, Stage: v.Stage, Status: model.DealStatus(v.Status),
			Amount: v.Amount, CreatedAt: v.CreatedAt, CloseDate: v.CloseDate, ClosedAt: v.ClosedAt, UpdatedAt: v.UpdatedAt})
	}
	stages, err := s.Store.Stages(ctx, firm)
	if err != nil {
		return in, err
	}
	for _, st := range stages {
		in.stages = append(in.stages, model.StageInfo{Name: st.Name, Position: st.Position, Probability: st.Probability})
	}
	return in, nil
}

// repAcc accumulates one rep's pipeline.
type repAcc struct {
	open, possible, weighted, variance float64
}

// repRows forecasts every rep: closed won plus open deals weighted by their in-period win chance.
func repRows(in inputs, sm *model.StageModel, period salesrecipe.Period, now time.Time) []Row {
	daysLeft := period.End().Sub(now).Hours() / 24
	acc := map[string]*repAcc{}
	for _, d := range in.open {
		a := acc[d.RepID]
		if a == nil {
			a = &repAcc{}
			acc[d.RepID] = a
		}
		p := sm.CloseProbability(d.Stage, daysLeft)
		a.weighted += d.Amount * p
		a.variance += d.Amount * d.Amount * p * (1 - p)
		if p > 0 {
			a.possible += d.Amount
		}
		if d.CloseDate.Before(period.End()) {
			a.open += d.Amount
		}
	}
	rows := make([]Row, 0, len(in.reps))
	for _, r := range in.reps {
		a := acc[r.ID]
		if a == nil {
			a = &repAcc{}
		}
		rows = append(rows, pipelineRow(r.Team, r.ID, in.quota[r.ID], in.won[r.ID], *a))
	}
	return rows
}

// pipelineRow turns one rep's sums into a row.
func pipelineRow(team, rep string, quota, won float64, a repAcc) Row {
	sd := math.Sqrt(a.variance)
	forecast := won + a.weighted
	row := Row{Team: team, Rep: rep, Quota: quota, ClosedWon: won, PipelineOpen: a.open, PipelineWeighted: a.weighted,
		Forecast: forecast, RequiredCoverage: math.NaN(),
		Low:  math.Max(won, forecast-z80*sd),
		High: math.Min(won+a.possible, forecast+z80*sd)}
	if a.weighted > 0 && a.open > 0 {
		row.RequiredCoverage = a.open / a.weighted
	}
	return row
}

// teamRows sums the rep rows of each team; the interval sums variances (reps independent).
func teamRows(reps []Row) []Row {
	byTeam := map[string]*Row{}
	spread := map[string][2]float64{} // sums of squared half-widths below and above
	for _, r := range reps {
		t := byTeam[r.Team]
		if t == nil {
			t = &Row{Team: r.Team}
			byTeam[r.Team] = t
		}
		t.Forecast += r.Forecast
		t.Quota += r.Quota
		t.ClosedWon += r.ClosedWon
		t.PipelineOpen += r.PipelineOpen
		t.PipelineWeighted += r.PipelineWeighted
		sp := spread[r.Team]
		sp[0] += (r.Forecast - r.Low) * (r.Forecast - r.Low)
		sp[1] += (r.High - r.Forecast) * (r.High - r.Forecast)
		spread[r.Team] = sp
	}
	out := make([]Row, 0, len(byTeam))
	for name, t := range byTeam {
		t.Low = t.Forecast - math.Sqrt(spread[name][0])
		t.High = t.Forecast + math.Sqrt(spread[name][1])
		t.RequiredCoverage = math.NaN()
		if t.PipelineWeighted > 0 && t.PipelineOpen > 0 {
			t.RequiredCoverage = t.PipelineOpen / t.PipelineWeighted
		}
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out
}

// lastIngest returns, per kind, the latest moment the store shows a load: reps and stages by
// their loaded_at, activities and deals by their newest row (a load happened no earlier).
func (s *StoreSource) lastIngest(ctx context.Context, firm string) (map[string]time.Time, error) {
	status, err := s.Store.Status(ctx, firm)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", firm, err)
	}
	out := map[string]time.Time{}
	for _, st := range status {
		if st.Kind == queries.KindQuotas || st.Last == nil {
			continue // a quota's time is its period, not its load
		}
		out[string(st.Kind)] = *st.Last
	}
	return out, nil
}
