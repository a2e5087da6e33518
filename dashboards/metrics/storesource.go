package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// StoreSource computes snapshots from the store: the rows are the product's own forecast (the
// numbers of the dashboards and of `salesrecipe forecast`, one rule for reps, teams and the firm);
// the recipe's accuracy and fit time come from the latest stored recipe.
type StoreSource struct {
	// Store is read for every snapshot.
	Store *queries.Store
	// FirmList names the firms to serve.
	FirmList []string
	// Currency is the firms' currency unit.
	Currency string
	// Grain is the period length; default month.
	Grain salesrecipe.Grain
	// Forecaster computes the rows; it is required.
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
	if rc, ok, err := s.Store.LatestRecipe(ctx, firm, string(forecast.ModelGrain(grain)), now); err != nil {
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

// rows computes the rep and team rows: the product's own forecast.
func (s *StoreSource) rows(ctx context.Context, snap *Snapshot, _ time.Time) error {
	if s.Forecaster == nil {
		return errors.New("metrics store source without a forecaster")
	}
	return s.forecastSnapshot(ctx, snap)
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
