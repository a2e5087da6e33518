package model

import "sort"

// QuantileSorted returns the linearly interpolated q-quantile of sorted v (0 when empty).
func QuantileSorted(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	pos := q * float64(len(v)-1)
	i := int(pos)
	if i >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[i] + (pos-float64(i))*(v[i+1]-v[i])
}

// Percentiles returns the quantiles 0.01, 0.02, ..., 0.99 of sorted v (all 0 when empty).
func Percentiles(sorted []float64) []float64 {
	out := make([]float64, 99)
	for i := range out {
		out[i] = QuantileSorted(sorted, float64(i+1)/100)
	}
	return out
}

// sortedCopy returns a sorted copy of v.
func sortedCopy(v []float64) []float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s
}
