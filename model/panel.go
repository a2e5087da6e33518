package model

import (
	"errors"
	"fmt"
	"github.com/salesrecipe/salesrecipe"
	"math"
	"sort"
)

// Panel is one firm's rep x period history: activity counts per kind and won revenue by close date.
type Panel struct {
	Grain   salesrecipe.Grain // period length; empty means month
	Reps    []string          // rep identifiers, unique
	Periods int               // number of consecutive periods, index 0 oldest
	Kinds   []string          // activity kinds
	Counts  [][][]float64     // activity counts [rep][period][kind]
	Revenue [][]float64       // won revenue [rep][period], negative for net refunds
	Active  [][]bool          // rep employed and observed [rep][period]; nil means always
}

// ThinDataError reports that the data is too thin to fit, naming what is missing.
type ThinDataError struct {
	What   string // what was counted, e.g. "periods with revenue"
	Have   int    // how many the data has
	Need   int    // how many are needed
	Reason string // why, when the data was fitted but no kind has a measurable effect; empty otherwise
}

// Error describes the shortfall.
func (e *ThinDataError) Error() string {
	if e.Reason != "" {
		return "model: no measurable recipe: " + e.Reason
	}
	return fmt.Sprintf("model: thin data: %d %s, need at least %d", e.Have, e.What, e.Need)
}

// NoEffectWhat is the ThinDataError.What of a fit in which no activity kind has a measurable effect.
const NoEffectWhat = "activity kinds with a measurable effect on won revenue"

// errInvalidPanel is wrapped by every panel validation error.
var errInvalidPanel = errors.New("model: invalid panel")

// MinRevenuePeriods is the fewest periods with won revenue a recipe is fitted on.
const MinRevenuePeriods = 6

// minActiveRows is the fewest active rep-periods a recipe is fitted on.
const minActiveRows = 30

// validate checks the panel's shape and values.
func (p *Panel) validate() error {
	if len(p.Kinds) == 0 || len(p.Reps) == 0 || p.Periods <= 0 {
		return fmt.Errorf("%w: need reps, kinds and periods (have %d, %d, %d)", errInvalidPanel, len(p.Reps), len(p.Kinds), p.Periods)
	}
	if len(p.Counts) != len(p.Reps) || len(p.Revenue) != len(p.Reps) || (p.Active != nil && len(p.Active) != len(p.Reps)) {
		return fmt.Errorf("%w: counts, revenue and active must have one entry per rep", errInvalidPanel)
	}
	seen := make(map[string]bool, len(p.Reps))
	for r, name := range p.Reps {
		if seen[name] {
			return fmt.Errorf("%w: rep %q appears twice", errInvalidPanel, name)
		}
		seen[name] = true
		if err := p.validateRep(r); err != nil {
			return err
		}
	}
	return nil
}

// validateRep checks one rep's rows.
func (p *Panel) validateRep(r int) error {
	if len(p.Counts[r]) != p.Periods || len(p.Revenue[r]) != p.Periods || (p.Active != nil && len(p.Active[r]) != p.Periods) {
		return fmt.Errorf("%w: rep %q must have %d periods", errInvalidPanel, p.Reps[r], p.Periods)
	}
	for t, row := range p.Counts[r] {
		if len(row) != len(p.Kinds) {
			return fmt.Errorf("%w: rep %q period %d has %d kinds, want %d", errInvalidPanel, p.Reps[r], t, len(row), len(p.Kinds))
		}
		for _, c := range row {
			if c < 0 || math.IsNaN(c) || math.IsInf(c, 0) {
				return fmt.Errorf("%w: rep %q period %d has count %v", errInvalidPanel, p.Reps[r], t, c)
			}
		}
		if v := p.Revenue[r][t]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: rep %q period %d has revenue %v", errInvalidPanel, p.Reps[r], t, v)
		}
	}
	return nil
}

// active reports whether rep r was observed in period t.
func (p *Panel) active(r, t int) bool {
	return p.Active == nil || p.Active[r][t]
}

// checkThin refuses panels with too few revenue periods or active rep-periods.
func (p *Panel) checkThin() error {
	rows, withRevenue := 0, 0
	for t := 0; t < p.Periods; t++ {
		has := false
		for r := range p.Reps {
			if p.active(r, t) {
				rows++
				has = has || p.Revenue[r][t] != 0
			}
		}
		if has {
			withRevenue++
		}
	}
	if withRevenue < MinRevenuePeriods {
		return &ThinDataError{What: "periods with revenue", Have: withRevenue, Need: MinRevenuePeriods}
	}
	if rows < minActiveRows {
		return &ThinDataError{What: "active rep-periods", Have: rows, Need: minActiveRows}
	}
	return nil
}

// repOrder returns rep indices sorted by name, so results do not depend on input order.
func (p *Panel) repOrder() []int {
	idx := make([]int, len(p.Reps))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p.Reps[idx[a]] < p.Reps[idx[b]] })
	return idx
}
