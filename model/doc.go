// Package model holds the statistics of salesrecipe: pure, numbers in and numbers out.
//
// It fits the recipe (what one more activity of each kind is worth in won
// revenue, and over which delay it lands); the pipeline's win chances are
// learned in forecast, beside the deal histories they are computed from. It
// imports no database or HTTP package and of salesrecipe only the root package's
// domain types (Grain); callers convert their data into the input structs
// defined here. It must never import queries, ingest, forecast, dashboards or cmd.
//
// Recipe method: revenue of rep r in period t = firm intercept + rep deviation + sum over kinds k and lags l of
// b(k,l) * count(r, t-l, k), with b >= 0 fitted by Lawson–Hanson NNLS on normal equations accumulated once per form
// and fold. Slopes use within-rep variation only (rep intercepts absorbed), so a strong rep does not read as "calls
// are worth a lot"; the rep deviations used for prediction are then shrunk toward the firm intercept with a
// pseudo-count chosen by CV. Won revenue is a sum of deals, so its variance grows with its mean: every fit weights
// each rep by the inverse of its expected revenue (the firm intercept plus its activity at the slopes of one
// unweighted within fit of all kinds and lags, never the rep's own revenue, which would favour the reps who convert
// worse). That is the efficient fit under this variance, and it counts each rep by its activity, so a value is the
// firm average over activities even when busy reps convert worse. Each kind's free-lag depth is chosen out of
// sample: leave-reps-out cross-validation (10 groups of reps, each predicted by a within fit on the others, over the
// rows every depth can use, each rep weighted by the inverse of its residual variance) with a one-standard-error rule,
// the shallowest depth whose held-out loss is within one paired standard error (over reps) of the lowest, one kind at
// a time. A late lag is kept when it predicts reps the fit has not seen; the first local minimum of the AIC, the
// former rule, stopped before late peaks, and the shallowest depth within 2 AIC of the lowest gave a no-effect kind
// six lags and a confident value on 40-rep firms. Candidate forms are those free lags and a delayed
// carry-over b(k,l) = beta(k) C(l+s, s) decay^l over the whole window with per-kind decay and shape s = 0..3
// (geometric at s = 0, peaking later as s grows), scored with ridge penalties and shrinkage by rolling-origin CV on
// the last periods; the carry-over is taken only when it beats the free lags by more than one standard error (it
// spans every lag of the window and bends any late peak into its smooth shape), and ridge
// is kept only when it beats no ridge by more than one standard error. A kind keeps an effect only when its value in an
// unrestricted reference fit (free lags one beyond the selected depth for every kind, weighted, no sign constraint,
// no kind dropped) lies clearly above zero: a one-sided 5% test with a leave-one-rep-out jackknife standard error and Student's t
// with reps-1 degrees of freedom (1.645 standard errors with many reps); cutting the out-of-sample error by one
// paired standard error, the former rule, set most small real effects to zero and handed their revenue to the kinds
// that move with them. A fit in which no kind has a value (or nothing was won in
// the periods predicted out of sample) is a *ThinDataError with a Reason: no measurable recipe. Intervals come from a
// bootstrap over whole reps: lag shares from the chosen fit's replicates; values from the reference fit's, clipped at
// zero and widened to hold the value, because the chosen fit's own replicates repeat its choices and miss their bias;
// predictions from out-of-sample CV residuals scaled by sqrt(max(forecast, 0) + floor).
package model
