// Package synth generates realistic synthetic sales firms whose recipe is known.
//
// It owns the generative story of a firm (reps and teams, monthly quotas, a miscalibrated
// stage file, activities and versioned deals), writes it as the five canonical CSV files
// (reps.csv, quotas.csv, stages.csv, activities.csv, deals.csv) plus truth.json, and imports
// only the standard library.
//
// The story makes the product's model true in expectation: for rep r and month t, won
// revenue = baseline(r) + sum_k sum_lag V_k(r) * share_k(lag) * count_k(r, t-lag). Each activity
// of kind k sources a deal with probability p_k (its deal_id is set and its occurred_at equals
// the deal's created_at); the deal's final amount is lognormal with mean A_k (sigma
// Config.AmountSigma); it starts in the kind's entry stage and advances stage by stage with
// seed-dependent conversion rates, the last step (negotiation to won) scaled by the rep's skill,
// so V_k(r) = p_k * A_k * P(win | r) differs between reps by one factor common to all kinds; it
// closes, won or lost, in month m+lag where lag follows the kind's delay profile, which has a clear
// peak (its largest share is at least 1.5 times any other). V_k = p_k * A_k * P(win), with P(win)
// averaged over the firm's expected activities of kind k: the firm-average expected won revenue
// per activity, the activity-weighted mean of V_k(r). Inbound deals with no sourcing activity close
// every month a rep is employed and form the rep's baseline.
//
// Activity mix: a rep's expected count of kind k in month m is their volume (activities a day, a
// seasonal factor, ramp-up and off months) times the firm's share of k times three mean-one
// lognormal factors: the rep's lasting preference (one rep is a caller, another books demos;
// rescaled so it moves volume between kinds without changing the rep's total), the rep's
// month-to-month swing (an AR(1) on the log scale: a demo push, a quiet month for proposals) and
// a firm-wide campaign factor of that month and kind. Their spreads are drawn from the seed, and
// truth.json reports them, the campaign factors and each rep's expected share by kind. So kinds
// are correlated (busy reps and months do more of everything) but not proportional, and each
// kind's value is identified within reps. Counts are Poisson given these factors.
//
// Touches: another activity may be logged against a recent open deal of its rep (deal_id set,
// occurred_at after created_at). A touch is an ordinary activity of its kind that happens anyway;
// being logged against a deal neither adds activity nor changes the deal, so counts do not depend
// on deals or their outcomes, and V_k is per activity of kind k, touches included: count every
// activity, as the product's rollups do. Excluding touches would count fewer activities than
// the story draws and inflate every value.
//
// Conventions: managers are reps too (the first rep of each team leads it, has an empty
// manager_id and never joins late or leaves); a rep is employed in the months of their quota
// rows; a rep who leaves keeps the deals they sourced, which still close under their rep_id;
// when End is not a month boundary the last month is partial and closes planned after End stay
// open; won deals are never refunded. All rows are streamed: memory grows with the number of reps
// and months, never with activities or deals.
//
// Mechanics: Config.Knobs turns mechanics that are otherwise seed-drawn traits into explicit settings, each zero
// value keeping the drawn default (and the same bytes): StageBlindWins (the outcome is drawn at creation from the
// firm's one win chance times the rep's skill and the stage walk ignores it, so given the rep the stage says nothing;
// winFrom is then the same in every stage, so V_k and the stage truths stay exact), StageFileFactor (stages.csv is the
// true rates times the factor, clamped, rounded and monotone), CloseOptimismMinDays/MaxDays (every deal states a close
// date that many days early and restates it by the same rule each time it passes), SeasonAmplitude (the drawn
// seasonal swings multiplied), Turnover (the chance to join late and to leave) and LagPeak (every sourcing kind's
// delay profile peaks at that lag, falling by a drawn ratio of 0.25-0.6 a month on each side; StretchLags makes the
// kinds' MaxLag reach it). truth.json records the config, and the truths these change (stage rates and file
// probabilities, StageMiscalibration, CloseDateSlipShare 1, StageBlindWin, Seasonality, join and leave months, Lags).
// Mechanics lists small firms (30-40 reps, 24-30 months, 5 activities a rep-day) that each differ in one mechanic, for
// judging a forecast on firms whose mechanics differ; `salesrecipe synth --firm NAME` writes one.
//
// Volume: DefaultConfig is a mid-market firm (about 6 activities a rep-day, a few large wins a rep
// a month). At 100 reps x 24 months its revenue noise is too large to pin down each kind within
// 15%: even a within-rep fit told the true delay profiles has standard errors of about 13-45% on
// meetings and demos and over 70% on calls, which bring 2-4% of its revenue. HighVelocityConfig is
// an inside-sales firm with dozens of small wins a rep a month, each sourcing kind carrying a
// fifth to a third of the revenue: from 100 reps x 24 months its recipe is recoverable within 15%.
package synth
