package metrics

import (
	"context"
	"fmt"
	"math"

	"github.com/salesrecipe/salesrecipe/forecast"
)

// forecastRows turns the product's forecast into rep and team rows, so the
// gauges show the same numbers as the dashboards and `salesrecipe forecast`.
func forecastRows(fc *forecast.Forecast) (reps, teams []Row) {
	for _, r := range fc.Reps {
		reps = append(reps, moneyRow(r.Team, r.RepID, r.Money))
	}
	for _, t := range fc.Teams {
		teams = append(teams, moneyRow(t.Team, "", t.Money))
	}
	return reps, teams
}

// moneyRow copies one forecast row; undefined ratios become NaN or 0 as Row documents.
func moneyRow(team, rep string, m forecast.Money) Row {
	row := Row{Team: team, Rep: rep, Forecast: m.Forecast, Low: m.Low, High: m.High,
		ClosedWon: m.ClosedWon, PipelineOpen: m.PipelineOpen, PipelineWeighted: m.PipelineWeighted,
		FromPipeline: m.FromPipeline, FromNewBusiness: m.FromNewBusiness,
		RequiredCoverage: math.NaN()}
	if m.Quota != nil {
		row.Quota = *m.Quota
	}
	if m.RequiredCoverage != nil {
		row.RequiredCoverage = *m.RequiredCoverage
	}
	return row
}

// forecastSnapshot fills a snapshot's rows from the forecaster, without storing a snapshot row.
func (s *StoreSource) forecastSnapshot(ctx context.Context, snap *Snapshot) error {
	fc, err := s.Forecaster.Forecast(ctx, forecast.Request{Firm: snap.Firm, Period: snap.Period, AsOf: snap.LastForecast, NoSave: true})
	if err != nil {
		return fmt.Errorf("forecast of %s: %w", snap.Firm, err)
	}
	snap.Reps, snap.Teams = forecastRows(fc)
	return s.addCalls(ctx, snap)
}

// addCalls sets each row's latest forecast call for the snapshot's period known at its time.
func (s *StoreSource) addCalls(ctx context.Context, snap *Snapshot) error {
	calls, err := s.Store.Calls(ctx, snap.Firm, snap.Period.Start, snap.Period.Start, snap.LastForecast)
	if err != nil {
		return fmt.Errorf("calls of %s: %w", snap.Firm, err)
	}
	latest := map[[2]string]*Call{}
	for _, c := range calls { // oldest first: the last one of each rep or team stays
		if c.Period != snap.Period {
			continue
		}
		k := [2]string{c.RepID, c.Team}
		if c.RepID != "" {
			k[1] = ""
		}
		latest[k] = &Call{Commit: c.Commit, BestCase: c.BestCase, SubmittedAt: c.SubmittedAt}
	}
	for i := range snap.Reps {
		snap.Reps[i].Call = latest[[2]string{snap.Reps[i].Rep, ""}]
	}
	for i := range snap.Teams {
		snap.Teams[i].Call = latest[[2]string{"", snap.Teams[i].Team}]
	}
	return nil
}
