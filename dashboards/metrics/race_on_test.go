//go:build race

package metrics

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
