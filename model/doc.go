// Package model holds the statistics of salesrecipe: pure, numbers in and numbers out.
//
// It fits the recipe (what one more activity of each kind is worth in won
// revenue, and over which delay it lands); the pipeline's win chances are
// learned in forecast, beside the deal histories they are computed from. It
// imports no database or HTTP package and of salesrecipe only the root package's
// domain types (Grain); callers convert their data into the input structs
// defined here. It must never import queries, ingest, forecast, dashboards or cmd.
//
// Recipe method: revenue of rep r in period t = firm intercept + rep deviation + g(r) * sum over kinds k and
// lags l of b(k,l) * count(r, t-l, k), with b >= 0 fitted by Lawson–Hanson NNLS on normal equations
// accumulated once per form and fold. Slopes use within-rep variation only (rep intercepts absorbed),
// so a strong rep does not read as "calls are worth a lot"; the rep deviations used for prediction are
// then shrunk toward the firm intercept with a pseudo-count chosen by CV. Each kind's free-lag depth is
// chosen by the AIC of the within fit over the rows every depth can use, each rep weighted by the inverse
// of its residual variance (revenue noise grows with volume), growing a kind's depth while one more lag
// lowers the AIC: cutting a real late lag biases the value down, which a forecast score barely sees.
// Candidate forms (those free lags, and a delayed carry-over b(k,l) = beta(k) C(l+s, s) decay^l with per-kind
// decay and shape s = 0..3, geometric at s = 0 and peaking later as s grows), ridge penalties and
// shrinkage are chosen by rolling-origin CV on the last periods; ridge is kept only when it beats no
// ridge by more than one standard error, and kinds whose inclusion does not cut the CV errors by more
// than one paired standard error get no effect, eliminated backward so the order of the kinds does not
// matter. Reps differ in how well their activity converts: the final fit alternates between each rep's
// efficiency g(r) (its slope on its fitted activity revenue, shrunk toward the average by an
// empirical-Bayes estimate of the spread) and the slopes refit with those efficiencies, and reports each
// kind's value as the activity-weighted mean of g(r) * sum_l b(k,l): the firm-average won revenue per
// activity, not a mean weighted by how much each rep's activity happens to vary. A fit in which no kind has a
// value (or nothing was won in the periods predicted out of sample) is a *ThinDataError with a Reason: no
// measurable recipe. Intervals come from a bootstrap over whole reps: lag shares from the chosen fit's
// replicates; values from an unrestricted reference fit's (free lags one beyond the selected depth for every
// kind, no sign constraint, no kind dropped), clipped at zero and widened to hold the value, because the chosen
// fit's own replicates repeat its choices and miss their bias; predictions from out-of-sample CV residuals
// scaled by sqrt(max(forecast, 0) + floor).
package model
