package model

import (
	"fmt"

	"github.com/salesrecipe/salesrecipe"
)

// grainOrMonth returns the grain, month when empty.
func grainOrMonth(g salesrecipe.Grain) salesrecipe.Grain {
	if g == "" {
		return salesrecipe.GrainMonth
	}
	return g
}

// validateGrain reports an unknown grain.
func validateGrain(g salesrecipe.Grain) error {
	if grainOrMonth(g).Valid() {
		return nil
	}
	return fmt.Errorf("model: unknown grain %q: want week, month or quarter", string(g))
}
