package model

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrNoEffect reports that the activities asked about bring no revenue within the time left.
var ErrNoEffect = errors.New("model: activity lands no revenue in the time left")

// Prediction is an expected revenue with its prediction interval.
type Prediction struct {
	Expected float64 // expected revenue
	Low      float64 // interval low end
	High     float64 // interval high end
	Level    float64 // interval level
}

// Predict returns a rep's expected revenue in the last period of hist (counts [period][kind], oldest first), with an interval at level (0 means the recipe's level).
func (rc *Recipe) Predict(rep string, hist [][]float64, level float64) (Prediction, error) {
	if level == 0 {
		level = rc.Level
	}
	if level <= 0 || level >= 1 {
		return Prediction{}, fmt.Errorf("model: level %v must be in (0, 1)", level)
	}
	land, err := rc.Landing(hist, 1)
	if err != nil {
		return Prediction{}, err
	}
	f := rc.Baseline + rc.RepEffect(rep) + land[0]
	m := residualScale(f, rc.Residuals.Floor)
	return Prediction{Expected: f, Level: level,
		Low:  f + m*rc.Residuals.quantile((1-level)/2),
		High: f + m*rc.Residuals.quantile((1+level)/2)}, nil
}

// RepEffect returns a rep's deviation from the firm baseline, 0 for a rep the recipe has not seen.
func (rc *Recipe) RepEffect(rep string) float64 {
	i := sort.Search(len(rc.Reps), func(i int) bool { return rc.Reps[i].Rep >= rep })
	if i < len(rc.Reps) && rc.Reps[i].Rep == rep {
		return rc.Reps[i].Effect
	}
	return 0
}

// Landing returns the revenue the activity in hist (counts [period][kind], oldest first) brings in its last period (index 0) and each of the next horizon-1 periods.
func (rc *Recipe) Landing(hist [][]float64, horizon int) ([]float64, error) {
	if horizon < 1 {
		return nil, fmt.Errorf("model: horizon %d must be >= 1", horizon)
	}
	out := make([]float64, horizon)
	n := len(hist)
	for i, row := range hist {
		if len(row) != len(rc.Kinds) {
			return nil, fmt.Errorf("model: history period %d has %d kinds, want %d", i, len(row), len(rc.Kinds))
		}
		for k, c := range row {
			for h := range out {
				out[h] += c * rc.coefficient(k, n-1-i+h)
			}
		}
	}
	return out, nil
}

// coefficient returns b(k,l), the revenue an activity of kind k brings l periods later.
func (rc *Recipe) coefficient(k, l int) float64 {
	ke := rc.Kinds[k]
	if l < 0 || l >= len(ke.Lags) {
		return 0
	}
	return ke.Value * ke.Lags[l].Share
}

// ValueWithin returns the revenue one more activity of kind done now lands within the next h periods.
//
// Lag l's share is taken to land evenly over delays [l, l+1) periods, so an activity with less time left
// than its delay counts for nothing.
func (rc *Recipe) ValueWithin(kind string, h float64) (float64, error) {
	k, err := rc.kindIndex(kind)
	if err != nil {
		return 0, err
	}
	return rc.cumulative(k, h), nil
}

// ActivitiesNeeded returns how many more activities of kind, spread evenly over the next h periods, are expected to close gap.
func (rc *Recipe) ActivitiesNeeded(kind string, gap, h float64) (float64, error) {
	k, err := rc.kindIndex(kind)
	if err != nil {
		return 0, err
	}
	if gap <= 0 {
		return 0, nil
	}
	avg := rc.integral(k, h) / h
	if !(avg > 0) {
		return 0, fmt.Errorf("kind %q within %.3g periods: %w", kind, h, ErrNoEffect)
	}
	return gap / avg, nil
}

// cumulative returns the value of kind k landed within h periods of the activity.
func (rc *Recipe) cumulative(k int, h float64) float64 {
	if !(h > 0) {
		return 0
	}
	whole := int(math.Floor(h))
	v := 0.0
	for l := 0; l < whole; l++ {
		v += rc.coefficient(k, l)
	}
	return v + (h-float64(whole))*rc.coefficient(k, whole)
}

// integral returns the integral of cumulative(k, s) for s in [0, h]; exact since it is piecewise linear.
func (rc *Recipe) integral(k int, h float64) float64 {
	total := 0.0
	for a := 0.0; a < h; a++ {
		b := math.Min(a+1, h)
		total += (b - a) * (rc.cumulative(k, a) + rc.cumulative(k, b)) / 2
	}
	return total
}

// kindIndex finds a kind by name.
func (rc *Recipe) kindIndex(kind string) (int, error) {
	for k, ke := range rc.Kinds {
		if ke.Kind == kind {
			return k, nil
		}
	}
	return 0, fmt.Errorf("model: unknown activity kind %q", kind)
}

// quantile interpolates the scaled residual quantile at probability q.
func (r Residuals) quantile(q float64) float64 {
	n := len(r.Quantiles)
	if n == 0 {
		return 0
	}
	pos := math.Min(math.Max(q*100-1, 0), float64(n-1))
	i := int(pos)
	if i >= n-1 {
		return r.Quantiles[n-1]
	}
	return r.Quantiles[i] + (pos-float64(i))*(r.Quantiles[i+1]-r.Quantiles[i])
}
