package forecast

import (
	"math"
	"sort"
)

// breakdown is the point forecast less closed won, split by source: the part owed to deals open now
// and the part owed to deals not yet open (new business).
type breakdown struct {
	pipeline, fresh float64
}

// splitPoint splits a point forecast of draws into closed won, pipeline and new business so that the
// three add up to the point exactly.
//
// The point is the mean of the draws' quantiles over a band of levels (pointOf), that is a weighted
// mean of the draws taken in the order of their totals. Every draw is closed won plus its pipeline
// part plus its new-business part, so the same weights applied to each part give three numbers that
// add up to the point: closed won exactly, and each source's mean contribution within the band of
// draws the point averages. The parts of the point's mean add up where the parts' own medians or
// means would not (the point of a sum is not the sum of the parts' points). When the point was
// raised to closed won (a team's total never shows less than is closed) the remainder is shared
// in proportion to the same contributions.
func splitPoint(draws []float64, parts drawSet, closed, point, level float64) breakdown {
	rest := point - closed
	if !(rest > 0) || len(draws) == 0 {
		return breakdown{}
	}
	order := make([]int, len(draws))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return draws[order[a]] < draws[order[b]] })
	var pipe, fresh float64
	for k, w := range bandWeights(len(draws), level, pointBand) {
		pipe += w * parts.pipeline[order[k]]
		fresh += w * parts.fresh[order[k]]
	}
	if !(pipe+fresh > 0) {
		return breakdown{}
	}
	scale := rest / (pipe + fresh)
	return breakdown{pipeline: pipe * scale, fresh: fresh * scale}
}

// bandWeights returns the weight bandMean gives each of n sorted draws: bandMean(s, level, band)
// equals the sum of weights[k] * s[k].
func bandWeights(n int, level, band float64) []float64 {
	w := make([]float64, n)
	if n == 0 {
		return w
	}
	lo, hi := math.Max(0, level-band), math.Min(1, level+band)
	const step = 1.0 / bandSteps
	for i := range bandSteps {
		pos := (lo + (hi-lo)*(float64(i)+0.5)/bandSteps) * float64(n-1)
		j := int(pos)
		if j >= n-1 {
			w[n-1] += step
			continue
		}
		w[j] += (1 - (pos - float64(j))) * step
		w[j+1] += (pos - float64(j)) * step
	}
	return w
}

// balance rounds the breakdown to cents so that closed won, pipeline and new business add up to the
// forecast to the cent: the pipeline part is rounded and new business takes what is left.
func (m *Money) balance() {
	f, c := cents(m.Forecast), cents(m.ClosedWon)
	p := math.Min(math.Max(cents(m.FromPipeline), 0), math.Max(f-c, 0))
	m.FromPipeline, m.FromNewBusiness = p/100, (f-c-p)/100
}

// cents returns v in whole cents.
func cents(v float64) float64 { return math.Round(v * 100) }
