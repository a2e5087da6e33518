// Package forecast owns the period forecast of every rep, team and firm as of one moment: closed
// won so far, open and weighted pipeline, the recipe's expectation from activities done and still
// expected, a combined forecast with a calibrated 80% interval, quota attainment, coverage, gap and
// "what it takes"; it also owns recipe fitting from stored data and the backtests that learn the
// combination weights and score every method against simple baselines.
//
// Everything is point-in-time: for an as-of time T only deal versions with updated_at <= T and
// activities with occurred_at <= T are read. Fits and backtests read the firm once
// (queries.Store.FirmData into a salesrecipe.FirmData) and answer every earlier moment from it in
// memory; a forecast of one moment reads the deals open or won then (queries.Store.PeriodDeals) and
// walks them with the same book. Every read and write goes through Store, which queries.Store
// implements (and querytest.Memory, for tests that check logic rather than storage).
//
// It may import the root salesrecipe package, queries and model; it must never import dashboards,
// cmd or ingest (its tests alone use ingest and ingest/synth to build firms).
package forecast
