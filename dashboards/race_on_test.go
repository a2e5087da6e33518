//go:build race

package dashboards

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
