// Package model holds the statistics of salesrecipe: pure, numbers in and numbers out.
//
// It fits the recipe (what one more activity of each kind is worth in won
// revenue, and over which delay it lands) and the stage model (win chances,
// in-period close chances, close-date slippage and cycle lengths). It imports
// no database, HTTP or other salesrecipe package: callers convert their data
// into the input structs defined here.
//
// Recipe method: revenue of rep r in period t = firm intercept + rep deviation + sum over kinds k and
// lags l of b(k,l) * count(r, t-l, k), with b >= 0 fitted by Lawson–Hanson NNLS on normal equations
// accumulated once per form and fold. Slopes use within-rep variation only (rep intercepts absorbed),
// so a strong rep does not read as "calls are worth a lot"; the rep deviations used for prediction are
// then shrunk toward the firm intercept with a pseudo-count chosen by CV. Candidate forms (free lags
// 0..W, geometric adstock with per-kind decay), ridge penalties and shrinkage are chosen by
// rolling-origin CV on the last periods; ridge is kept only when it beats no ridge by more than one
// standard error, and a kind whose inclusion does not cut the CV errors by more than one paired
// standard error gets no effect. Intervals come from a bootstrap over whole reps (values, shares) and
// from out-of-sample CV residuals scaled by sqrt(max(forecast, 0) + floor) (predictions).
package model
