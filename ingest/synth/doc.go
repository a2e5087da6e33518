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
// Volume: DefaultConfig is a mid-market firm (about 6 activities a rep-day, a few large wins a rep
// a month). At 100 reps x 24 months its revenue noise is too large to pin down each kind within
// 15%: even a within-rep fit told the true delay profiles has standard errors of about 13-45% on
// meetings and demos and over 70% on calls, which bring 2-4% of its revenue. HighVelocityConfig is
// an inside-sales firm with dozens of small wins a rep a month, each sourcing kind carrying a
// fifth to a third of the revenue: from 100 reps x 24 months its recipe is recoverable within 15%.
package synth
