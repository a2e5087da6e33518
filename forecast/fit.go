package forecast

import (
	"context"
	"fmt"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// Fitter fits a firm's recipe, stage model and combination on the data known at a moment.
type Fitter struct {
	Store   Store
	Now     func() time.Time // clock for fitted_at; nil means time.Now
	Options model.Options    // recipe fit options; the zero value gives model's defaults
}

// Fit fits everything a forecast needs on the data known at asOf; a history too thin for a recipe
// returns the *model.ThinDataError that says what is missing. Quarters fit the monthly model with
// its quarter levels (see ModelGrain and QuarterLevels).
func (f *Fitter) Fit(ctx context.Context, firm string, grain salesrecipe.Grain, asOf time.Time) (*Model, error) {
	m, err := f.fitModel(ctx, firm, grain, asOf)
	if err != nil {
		return nil, err
	}
	if m.Recipe == nil {
		return nil, m.thin
	}
	return m, nil
}

// fitModel fits the model, with or without a recipe.
func (f *Fitter) fitModel(ctx context.Context, firm string, grain salesrecipe.Grain, asOf time.Time) (*Model, error) {
	lb, err := f.lab(ctx, firm, grain, asOf)
	if err != nil {
		return nil, err
	}
	m, err := lb.model(ctx, asOf, true)
	if err != nil {
		return nil, err
	}
	m.Built = lb.book.at(asOf).mostBuilt(lb.grain, salesrecipe.NewPeriod(lb.grain, asOf).Start)
	return m, nil
}

// lab opens a lab on the data known at asOf.
func (f *Fitter) lab(ctx context.Context, firm string, grain salesrecipe.Grain, asOf time.Time) (*lab, error) {
	if !grain.Valid() {
		return nil, fmt.Errorf("fit %s: invalid grain %q: want week, month or quarter", firm, grain)
	}
	now := f.Now
	if now == nil {
		now = time.Now
	}
	return newLab(ctx, f.Store, firm, grain, asOf, f.Options, now, fitMoments(grain, asOf))
}

// Save stores a fitted model in the recipes table.
func (f *Fitter) Save(ctx context.Context, m *Model) error {
	row, err := m.Stored()
	if err != nil {
		return err
	}
	return f.Store.SaveRecipe(ctx, row)
}

// Latest returns the model fitted on the data known at the latest moment <= asOf; ok is false when none is stored.
func Latest(ctx context.Context, st Store, firm string, grain salesrecipe.Grain, asOf time.Time) (*Model, bool, error) {
	r, ok, err := st.LatestRecipe(ctx, firm, string(grain), asOf)
	if err != nil || !ok {
		return nil, false, err
	}
	m, err := decodeModel(r)
	return m, err == nil, err
}
