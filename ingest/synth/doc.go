// Package synth generates realistic synthetic sales firms whose recipe is known.
//
// It owns the generative story of a firm (reps and teams, monthly quotas, a miscalibrated
// stage file, activities and versioned deals), writes it as the five canonical CSV files
// (reps.csv, quotas.csv, stages.csv, activities.csv, deals.csv) plus truth.json, and imports
// only the standard library.
//
// The story makes the product's model true in expectation: for rep r and month t, won
// revenue = baseline(r) + sum_k sum_lag V_k * share_k(lag) * count_k(r, t-lag). Each activity
// of kind k sources a deal with probability p_k (its deal_id is set and its occurred_at equals
// the deal's created_at); the deal's final amount is lognormal with mean A_k; it starts in the
// kind's entry stage and advances stage by stage with seed-dependent conversion rates, the
// last step (negotiation to won) scaled by the rep's skill; it closes, won or lost, in month
// m+lag where lag follows the kind's delay profile. V_k = p_k * A_k * P(win), where P(win) is
// averaged over the firm's expected activities of kind k (so it is the firm average, not any
// one rep's value). Other activities may touch an open deal (deal_id set, occurred_at after
// created_at) without changing it. Inbound deals with no sourcing activity close every month a
// rep is employed and form the rep's baseline.
//
// Conventions: managers are reps too (the first rep of each team leads it, has an empty
// manager_id and never joins late or leaves); a rep who leaves keeps the deals they sourced,
// which still close under their rep_id; when End is not a month boundary the last month is
// partial and closes planned after End stay open; won deals are never refunded. All rows are
// streamed: memory grows with the number of reps and months, never with activities or deals.
package synth
