package synth

import (
	"math"
	"math/rand/v2"
)

// mixModel holds the seed-dependent spread of the activity mix around the firm's shares.
type mixModel struct {
	repSigma      float64   // lognormal sigma of a rep's persistent preference for each kind
	monthSigma    float64   // lognormal sigma of a rep's month-to-month swing in each kind
	monthPersist  float64   // AR(1) coefficient of that swing on the log scale
	campaignSigma float64   // lognormal sigma of firm-wide campaigns: one factor per month and kind
	campaign      []float64 // per history month m and kind k at m*K+k, mean one
}

// drawMixModel draws the mix spreads and the firm's campaign factors for the history.
func drawMixModel(rng *rand.Rand, months, kinds int) mixModel {
	mm := mixModel{repSigma: uniform(rng, 0.3, 0.6), monthSigma: uniform(rng, 0.4, 0.6),
		monthPersist: uniform(rng, 0, 0.4), campaignSigma: uniform(rng, 0.1, 0.25)}
	mm.campaign = make([]float64, months*kinds)
	for i := range mm.campaign {
		mm.campaign[i] = lognormMean1(rng, mm.campaignSigma)
	}
	return mm
}

// drawRepMix draws a rep's preference per kind, rescaled so that it moves volume between kinds without changing the
// rep's total, and the rep's month swings, a mean-one lognormal AR(1) per kind stored at m*K+k.
func drawRepMix(rng *rand.Rand, mm *mixModel, kinds []kindModel, months int) (pref, swing []float64) {
	pref = make([]float64, len(kinds))
	total, mixed := 0.0, 0.0
	for k, km := range kinds {
		pref[k] = lognormMean1(rng, mm.repSigma)
		total += km.share
		mixed += km.share * pref[k]
	}
	for k := range pref {
		pref[k] *= total / mixed
	}
	swing = make([]float64, months*len(kinds))
	innov := math.Sqrt(1 - mm.monthPersist*mm.monthPersist)
	for k := range kinds {
		z := rng.NormFloat64()
		for m := range months {
			if m > 0 {
				z = mm.monthPersist*z + innov*rng.NormFloat64()
			}
			swing[m*len(kinds)+k] = math.Exp(mm.monthSigma*z - mm.monthSigma*mm.monthSigma/2)
		}
	}
	return pref, swing
}

// kindWeights writes into w the rep's relative volume of each kind in history month m (zero before a kind
// appears) and returns their sum: the firm's share times the rep's preference, month swing and the campaign.
func kindWeights(f *firm, r *rep, m int, w []float64) float64 {
	nk, sum := len(f.kinds), 0.0
	for k := range f.kinds {
		km := &f.kinds[k]
		w[k] = 0
		if m >= km.first {
			w[k] = km.share * r.pref[k] * r.swing[m*nk+k] * f.mix.campaign[m*nk+k]
		}
		sum += w[k]
	}
	return sum
}

// cumulativeInto writes the normalized cumulative sums of w into c.
func cumulativeInto(c, w []float64) {
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	for i := range c {
		c[i] /= sum
	}
}
