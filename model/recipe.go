package model

import "github.com/salesrecipe/salesrecipe"

// Recipe says what one more activity of each kind is worth in won revenue and over which delay it lands.
type Recipe struct {
	Grain        salesrecipe.Grain // period length
	Method       string            // winning form: MethodFreeLags or MethodAdstock
	Lags         int               // deepest lag of the winning form
	Lambda       float64           // ridge penalty of the winner, relative to each column's cross-product
	RepShrink    float64           // pseudo-count shrinking rep intercepts to the firm's
	Baseline     float64           // firm intercept: revenue per rep-period not explained by activity
	Observations int               // rep-periods in the final fit
	R2           float64           // in-sample R², for information only
	CVWAPE       float64           // rolling-origin out-of-sample WAPE of the winner
	Level        float64           // level of the CI fields
	Kinds        []KindEffect      // one per kind, in the panel's order
	Reps         []RepEffect       // rep intercept deviations, sorted by rep
	Residuals    Residuals         // out-of-sample residual distribution for prediction intervals
}

// KindEffect is the value of one more activity of a kind and its delay profile.
type KindEffect struct {
	Kind   string     // activity kind
	Value  float64    // V: total won revenue one more activity brings, over all lags
	CILow  float64    // bootstrap percentile interval of Value, low end
	CIHigh float64    // bootstrap percentile interval of Value, high end
	Decay  float64    // adstock decay (0 for free lags)
	Lags   []LagShare // share of Value landing after 0, 1, ... periods; all zero when Value is 0
}

// LagShare is the share of a kind's value that lands a given number of periods after the activity.
type LagShare struct {
	Lag    int     // periods after the activity
	Share  float64 // share of the value
	CILow  float64 // bootstrap percentile interval of Share, low end
	CIHigh float64 // bootstrap percentile interval of Share, high end
}

// RepEffect is a rep's shrunk deviation from the firm baseline.
type RepEffect struct {
	Rep          string  // rep identifier
	Effect       float64 // revenue per period above (below) the firm baseline
	Observations int     // rep-periods in the fit
}

// Residuals describe out-of-sample errors scaled by sqrt(max(forecast, 0) + Floor).
type Residuals struct {
	Floor     float64   // scale floor: mean |actual| over the CV predictions
	Quantiles []float64 // scaled residual quantiles at probabilities 0.01, 0.02, ..., 0.99
	N         int       // CV predictions behind the quantiles
}
