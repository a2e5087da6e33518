package salesrecipe

import (
	"fmt"
	"math"
)

// ForecastCategory is the forecast bucket a stage rolls up into.
type ForecastCategory string

// The forecast categories, as Salesforce and HubSpot name them.
const (
	CategoryPipeline ForecastCategory = "pipeline"
	CategoryBestCase ForecastCategory = "best_case"
	CategoryCommit   ForecastCategory = "commit"
	CategoryClosed   ForecastCategory = "closed"
	CategoryOmitted  ForecastCategory = "omitted"
)

// Valid reports whether c is one of the known categories.
func (c ForecastCategory) Valid() bool {
	switch c {
	case CategoryPipeline, CategoryBestCase, CategoryCommit, CategoryClosed, CategoryOmitted:
		return true
	}
	return false
}

// Stage is one step of the sales process with its default win probability.
type Stage struct {
	Name        string
	Position    int
	Probability float64
	Category    ForecastCategory
}

// Validate reports every rule the stage breaks.
func (s Stage) Validate() error {
	var p problems
	p.id("stage", s.Name)
	if s.Name == UnknownStage {
		p.add("stage", s.Name, "reserved for the stage of inferred versions")
	}
	if s.Position < 0 {
		p.add("position", fmt.Sprint(s.Position), "must not be negative")
	}
	if math.IsNaN(s.Probability) || s.Probability < 0 || s.Probability > 1 {
		p.add("probability", formatFloat(s.Probability), "want a number from 0 to 1")
	}
	if !s.Category.Valid() {
		p.add("category", string(s.Category), "want pipeline, best_case, commit, closed or omitted")
	}
	return p.err()
}
