package forecast

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
	"github.com/salesrecipe/salesrecipe/queries"
)

// Model is everything a forecast needs, fitted on the data known at one moment: the recipe, the
// learned stage model and the combination learned by backtests. Its JSON is the stored recipe body.
type Model struct {
	Firm     string               `json:"firm"`
	Grain    salesrecipe.Grain    `json:"grain"`
	AsOf     time.Time            `json:"as_of"`
	FittedAt time.Time            `json:"fitted_at"`
	DataFrom time.Time            `json:"data_from"`
	DataTo   time.Time            `json:"data_to"`
	Recipe   *model.Recipe        `json:"recipe"`         // nil when the history is too thin
	Thin     string               `json:"thin,omitempty"` // why there is no recipe
	Pipeline *Pipeline            `json:"pipeline"`
	Combiner *Combiner            `json:"combiner"`
	Stages   []salesrecipe.Stage  `json:"stages"`            // the stages file at fit time; empty without one
	WinRate  float64              `json:"win_rate"`          // share of closed deals won; the stage-weighted baseline's probability without a stages file
	Built    map[string]float64   `json:"built,omitempty"`   // per rep, the most pipeline created in one period before AsOf's; nil when not measured
	Quarter  *QuarterLevels       `json:"quarter,omitempty"` // a quarter's point and interval levels; nil when not fitted for quarters, without a grid when too few quarters
	Carry    []float64            `json:"carry,omitempty"`   // won deals created 1, 2 periods before their closing period per deal created in it (book.carry); nil in older fits
	thin     *model.ThinDataError // why there is no recipe, as an error; nil with a recipe (not stored)
}

// lags returns the deepest lag of the recipe, 0 without one.
func (m *Model) lags() int { return lagsOf(m.Recipe) }

// View returns the recipe as the fit command prints it; ok is false when there is no recipe, or
// none worth showing (every kind's value is zero).
func (m *Model) View() (Recipe, bool) {
	if m.Recipe == nil || !m.Recipe.Measurable() {
		return Recipe{}, false
	}
	rc := m.Recipe
	v := Recipe{Firm: m.Firm, Grain: string(m.Grain), FittedAt: m.FittedAt, DataFrom: m.DataFrom, DataTo: m.DataTo,
		Observations: rc.Observations, Method: rc.Method, R2: rc.R2, CVWAPE: rc.CVWAPE, Kinds: []KindRecipe{}}
	for _, k := range rc.Kinds {
		kr := KindRecipe{Kind: k.Kind, ValuePerActivity: k.Value, CILow: k.CILow, CIHigh: k.CIHigh, Lags: []LagShare{}}
		for _, l := range k.Lags {
			kr.Lags = append(kr.Lags, LagShare{Lag: l.Lag, Share: l.Share})
		}
		v.Kinds = append(v.Kinds, kr)
	}
	return v, true
}

// Stored returns the model as a recipes row.
func (m *Model) Stored() (queries.StoredRecipe, error) {
	if m.Recipe == nil {
		return queries.StoredRecipe{}, errors.New("no recipe to store: " + m.Thin)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return queries.StoredRecipe{}, fmt.Errorf("encode recipe: %w", err)
	}
	return queries.StoredRecipe{Firm: m.Firm, Grain: string(m.Grain), FittedAt: m.FittedAt, AsOf: m.AsOf,
		DataFrom: m.DataFrom, DataTo: m.DataTo, Method: m.Recipe.Method, Observations: uint32(m.Recipe.Observations),
		CVWAPE: m.Recipe.CVWAPE, Body: string(body)}, nil
}

// decodeModel reads a stored recipe body.
func decodeModel(r queries.StoredRecipe) (*Model, error) {
	var m Model
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		return nil, fmt.Errorf("decode recipe of %s fitted at %s: %w", r.Firm, r.FittedAt.Format(time.RFC3339), err)
	}
	if m.Pipeline == nil || m.Pipeline.Win == nil || m.Combiner == nil {
		return nil, fmt.Errorf("recipe of %s fitted at %s lacks its stage model or combination: refit with salesrecipe fit", r.Firm, r.FittedAt.Format(time.RFC3339))
	}
	if err := m.Pipeline.Win.check(); err != nil {
		return nil, fmt.Errorf("recipe of %s fitted at %s was stored by an older version (%w): refit with salesrecipe fit", r.Firm, r.FittedAt.Format(time.RFC3339), err)
	}
	if m.Recipe != nil && !m.Recipe.Measurable() {
		// Stored before fits refused it. The combination was learned with its baseline and rep
		// effects, so the forecast keeps them; the recipe is shown as none (see View).
		m.Thin = "model: no measurable recipe: every activity kind's value is zero (stored by an older fit; refit with salesrecipe fit)"
	}
	return &m, nil
}

// fileProbabilities returns the stages file's probability by stage, nil without a file.
func (m *Model) fileProbabilities() map[string]float64 {
	if len(m.Stages) == 0 {
		return nil
	}
	out := make(map[string]float64, len(m.Stages))
	for _, s := range m.Stages {
		out[s.Name] = s.Probability
	}
	return out
}
