package model

import "sort"

// sortFloats sorts v ascending in place.
func sortFloats(v []float64) { sort.Float64s(v) }

// quantileSorted returns the linearly interpolated q-quantile of sorted v (0 when empty).
func quantileSorted(v []float64, q float64) float64 {
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

// quantileOf returns the q-quantile of v without modifying it.
func quantileOf(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sortFloats(s)
	return quantileSorted(s, q)
}
