package forecast

import (
	"encoding/json"
	"math"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Money holds the money and ratio fields every rep, team and firm row shares.
//
// Ratios are nil when undefined: Attainment without a quota, Coverage and RequiredCoverage when
// nothing remains of the quota (or there is none), Gap without a quota.
type Money struct {
	Quota            *float64 `json:"quota"`             // quota of the period; nil when none is set
	ClosedWon        float64  `json:"closed_won"`        // won with closed_at in the period, as of the as-of time
	PipelineOpen     float64  `json:"pipeline_open"`     // open deals whose expected close is in the period, or unknown
	PipelineWeighted float64  `json:"pipeline_weighted"` // open deals weighted by the learned chance of a win inside the period (their expected value, not a part of Forecast)
	FromPipeline     float64  `json:"from_pipeline"`     // the part of Forecast owed to deals open now: ClosedWon + FromPipeline + FromNewBusiness = Forecast
	FromNewBusiness  float64  `json:"from_new_business"` // the part of Forecast owed to deals not yet open (new business)
	Forecast         float64  `json:"forecast"`          // the period's won revenue: the middle of its simulated outcomes
	Low              float64  `json:"low"`               // low end of the 80% interval
	High             float64  `json:"high"`              // high end of the 80% interval
	Attainment       *float64 `json:"attainment"`        // Forecast / Quota
	Coverage         *float64 `json:"coverage"`          // PipelineOpen / (Quota - ClosedWon)
	RequiredCoverage *float64 `json:"required_coverage"` // coverage needed given the learned in-period conversion of the pipeline
	Gap              *float64 `json:"gap"`               // Quota - Forecast; negative when ahead
}

// Components are the parts the combined forecast is built from; they are not part of the JSON form.
type Components struct {
	RecipeFromDone     float64            // recipe revenue still to land this period from activities already done
	RecipeFromExpected float64            // recipe revenue this period from the activity still expected this period
	RecipeBaseline     float64            // recipe baseline and rep effect still to land this period
	RecipeTotal        float64            // closed won plus all the recipe still expects this period (the recipe_only forecast)
	PipelinePulledIn   float64            // open deals expected to close outside the period, weighted by their chance to win inside it
	StageWeighted      float64            // closed won plus in-period pipeline times the stages file's probabilities
	ExpectedActivities map[string]float64 // activities of each kind still expected this period at the rep's own pace
}

// Need is one line of "what it takes": more activities of a kind, or more open pipeline.
//
// Kind is an activity kind, or KindPipeline for money of additional open pipeline expected to close
// in the period. When OutOfReach is set no amount of this lever closes the gap this period (an
// activity too late to land counts for nothing); the JSON form then has "additional": null and
// "reason" says why.
type Need struct {
	Kind       string  `json:"kind"`
	Additional float64 `json:"additional"`
	OutOfReach bool    `json:"-"`
	Reason     string  `json:"reason,omitempty"` // why the lever is out of reach; empty when it is not
}

// KindPipeline is the Need kind for additional open pipeline, in money.
const KindPipeline = "pipeline"

// MarshalJSON writes {"kind":..,"additional":N}, with null when the lever is out of reach.
func (n Need) MarshalJSON() ([]byte, error) {
	var add *float64
	if !n.OutOfReach {
		add = &n.Additional
	}
	return json.Marshal(struct {
		Kind       string   `json:"kind"`
		Additional *float64 `json:"additional"`
		Reason     string   `json:"reason,omitempty"`
	}{n.Kind, add, n.Reason})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (n *Need) UnmarshalJSON(b []byte) error {
	var v struct {
		Kind       string   `json:"kind"`
		Additional *float64 `json:"additional"`
		Reason     string   `json:"reason"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Need{Kind: v.Kind, OutOfReach: v.Additional == nil, Reason: v.Reason}
	if v.Additional != nil {
		n.Additional = *v.Additional
	}
	return nil
}

// RepRow is one rep's forecast of the period.
type RepRow struct {
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
	Team  string `json:"team"`
	Money
	WhatItTakes []Need     `json:"what_it_takes"` // empty when the forecast already meets the quota or there is none
	Parts       Components `json:"-"`
	Notes       []string   `json:"-"` // labels such as "no quota", "no history: firm averages"
}

// TeamRow is one team's forecast: sums of its reps, the point and interval of their summed draws, ratios as sum over sum.
type TeamRow struct {
	Team string `json:"team"`
	Money
	Reps  int        `json:"-"` // reps in the team
	Parts Components `json:"-"`
}

// Total is the firm's forecast: sums of all reps, the point and interval of their summed draws, ratios as sum over sum.
type Total struct {
	Money
	Reps  int        `json:"-"`
	Parts Components `json:"-"`
}

// Forecast is the forecast of one firm's period as of one moment.
type Forecast struct {
	Firm        string             `json:"firm"`
	Period      salesrecipe.Period `json:"-"`
	PeriodStart time.Time          `json:"period_start"` // first instant of the period (UTC)
	PeriodEnd   time.Time          `json:"period_end"`   // exclusive end of the period (UTC)
	AsOf        time.Time          `json:"as_of"`
	Reps        []RepRow           `json:"reps"`
	Teams       []TeamRow          `json:"teams"`
	FirmTotal   Total              `json:"firm_total"`
	Recipe      RecipeRef          `json:"-"` // the recipe behind the forecast
	Notes       []string           `json:"-"` // firm-level labels, such as "no stages file" or "no data in the period"
}

// RecipeRef names the stored recipe a forecast used.
type RecipeRef struct {
	FittedAt time.Time
	AsOf     time.Time
	Method   string
	Refit    bool // fitted for this forecast rather than read from the store
}

// The forecasting methods a backtest scores.
const (
	MethodSalesrecipe   = "salesrecipe"    // the combined forecast
	MethodRecipeOnly    = "recipe_only"    // closed so far plus the recipe's revenue still to land
	MethodPipelineOnly  = "pipeline_only"  // closed so far plus the pipeline weighted by the learned stage model
	MethodLastPeriod    = "last_period"    // what the rep won in the previous period
	MethodRunRate       = "run_rate"       // closed so far scaled to the whole period
	MethodStageWeighted = "stage_weighted" // closed so far plus pipeline times the stages file's fixed probabilities
)

// Methods lists the backtest methods in report order.
func Methods() []string {
	return []string{MethodSalesrecipe, MethodRecipeOnly, MethodPipelineOnly, MethodLastPeriod, MethodRunRate, MethodStageWeighted}
}

// Baselines lists the methods salesrecipe must beat.
func Baselines() []string {
	return []string{MethodLastPeriod, MethodRunRate, MethodStageWeighted}
}

// Score is the accuracy of one method at one as-of point over a backtest's periods.
type Score struct {
	Method           string   `json:"method"`
	AsOfPoint        string   `json:"as_of_point"`       // the elapsed share it stands for, e.g. "20%"
	RepWAPE          float64  `json:"rep_wape"`          // sum |A-F| / sum |A| over rep-periods
	TeamWAPE         *float64 `json:"team_wape"`         // the same over team-periods, each team's forecast as its team row shows it; nil when no team is scored
	Bias             float64  `json:"bias"`              // sum (F-A) / sum A
	IntervalCoverage *float64 `json:"interval_coverage"` // share of rep outcomes inside [low, high]; nil for methods without an interval
	// TeamIntervalCoverage is the share of team outcomes inside the team rows' 80% intervals (from the
	// reps' summed draws); nil for methods without an interval and when no team is scored.
	TeamIntervalCoverage *float64 `json:"team_interval_coverage"`
	Forecasts            int      `json:"-"` // rep-period forecasts scored
}

// Backtest is the result of a rolling-origin backtest of one firm.
type Backtest struct {
	Firm    string  `json:"firm"`
	Periods int     `json:"periods"`
	Methods []Score `json:"methods"`
	// Calls scores people's forecast calls (rep_commit, manager_commit) beside the model, where
	// the caller added them (ScoreCalls); absent without calls.
	Calls  []CallScore `json:"calls,omitempty"`
	Points []Point     `json:"-"` // every rep-level forecast behind the scores
	Teams  []Point     `json:"-"` // every team-level forecast behind the team scores (RepID empty), as the team rows show them
	Notes  []string    `json:"-"`
}

// Point is one rep-level (or, with RepID empty, team-level) forecast of one method in a backtest, with its outcome.
type Point struct {
	PeriodStart time.Time
	AsOfPoint   string
	AsOf        time.Time
	RepID       string
	Team        string
	Method      string
	Forecast    float64
	Low, High   float64 // equal to Forecast for methods without an interval
	Actual      float64 // won revenue with closed_at in the period, as known at the backtest's end
}

// Recipe is a fitted recipe as the fit command prints it and the store keeps it.
type Recipe struct {
	Firm         string       `json:"firm"`
	Grain        string       `json:"grain"`
	FittedAt     time.Time    `json:"fitted_at"`
	DataFrom     time.Time    `json:"data_from"` // first period in the fit
	DataTo       time.Time    `json:"data_to"`   // exclusive end of the last period in the fit
	Observations int          `json:"observations"`
	Method       string       `json:"method"`
	R2           float64      `json:"r2"`
	CVWAPE       float64      `json:"cv_wape"`
	Kinds        []KindRecipe `json:"kinds"`
}

// KindRecipe is what one more activity of a kind is worth and when it lands.
type KindRecipe struct {
	Kind             string     `json:"kind"`
	ValuePerActivity float64    `json:"value_per_activity"`
	CILow            float64    `json:"ci_low"`
	CIHigh           float64    `json:"ci_high"`
	Lags             []LagShare `json:"lags"`
}

// LagShare is the share of a kind's value landing lag periods after the activity.
type LagShare struct {
	Lag   int     `json:"lag"`
	Share float64 `json:"share"`
}

// Ratio returns num/den, or nil when den is not positive or the result is not finite.
func Ratio(num, den float64) *float64 {
	if !(den > 0) {
		return nil
	}
	r := num / den
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	return &r
}
