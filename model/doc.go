// Package model holds the statistics of salesrecipe: pure, numbers in and numbers out.
//
// It fits the recipe (what one more activity of each kind is worth in won
// revenue, and over which delay it lands) and the stage model (win chances,
// in-period close chances, close-date slippage and cycle lengths). It imports
// no database, HTTP or other salesrecipe package: callers convert their data
// into the input structs defined here.
package model
