package synth

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Stage indexes; the open stages come first, in order.
const (
	stProspecting = iota
	stQualification
	stDiscovery
	stProposal
	stNegotiation
	stWon
	stLost
	nStages
)

const (
	baselineEntry   = stQualification
	maxPushes       = 3   // close-date pushes of an optimistic deal
	maxStatedPushes = 12  // close-date pushes of a deal under Config.CloseOptimism*Days
	peakMargin      = 1.5 // a delay profile's peak share over its next largest
	maxLagDraws     = 1000
	minSeason       = 0.1 // floor of a month's seasonal factor under Config.SeasonAmplitude
	minFileProb     = 0.05
	maxFileProb     = 0.95
	minPeakRatio    = 0.25 // range of a peaked profile's ratio between neighbouring lags (see peakedLags)
	maxPeakRatio    = 0.6
)

func stageNames() [nStages]string {
	return [nStages]string{"prospecting", "qualification", "discovery", "proposal", "negotiation", "closed_won", "closed_lost"}
}

func stageCategories() [nStages]string {
	return [nStages]string{"pipeline", "pipeline", "pipeline", "best_case", "commit", "closed", "omitted"}
}

// stageIndex returns the index of the named stage, or 0 and false for an unknown name.
func stageIndex(name string) (int, bool) {
	names := stageNames()
	i := slices.Index(names[:], name)
	return max(i, 0), i >= 0
}

// kindModel is one activity kind with its seed-perturbed parameters.
type kindModel struct {
	name   string
	share  float64
	p      float64 // chance to source a deal
	mean   float64 // mean final amount
	mu     float64 // lognormal location giving that mean
	entry  int
	first  int
	lags   []float64 // share of revenue landing at each lag
	lagCum []float64
	value  float64 // firm-average won revenue per activity
	win    float64 // firm-average win probability of a sourced deal
}

// firm holds the seed-dependent parameters of one generated firm.
type firm struct {
	conv         [stWon]float64 // P(advance) from each open stage; negotiation's is P(win) before skill
	kinds        []kindModel
	season       [12]float64
	slipShare    float64 // share of deals whose close date is optimistic and slips
	amountChange float64 // share of deals whose amount changes once
	skillSigma   float64
	amountSigma  float64 // lognormal sigma of deal amounts
	baseAmount   float64 // mean amount of an inbound (baseline) deal
	baseRate     float64 // firm mean inbound deals per rep-month
	stretch      float64 // quota over expected revenue
	miscal       float64 // overall factor of the stage file over the true rates
	blindWin     float64 // with Config.StageBlindWins, P(win) of every deal at skill 1; 0 otherwise
	trueRate     [nStages]float64
	fileProb     [nStages]float64
	maxLag       int
	mix          mixModel
}

func uniform(rng *rand.Rand, lo, hi float64) float64 {
	return lo + (hi-lo)*rng.Float64()
}

// lognormMean1 draws a lognormal multiplier with mean 1.
func lognormMean1(rng *rand.Rand, sigma float64) float64 {
	return math.Exp(sigma*rng.NormFloat64() - sigma*sigma/2)
}

func drawFirm(rng *rand.Rand, cfg Config) firm {
	base := [stWon]float64{0.50, 0.65, 0.70, 0.72, 0.70}
	amountSigma := cfg.amountSigma()
	f := firm{amountSigma: amountSigma}
	for j := range f.conv {
		f.conv[j] = min(0.95, base[j]*uniform(rng, 0.75, 1.25))
	}
	f.kinds = make([]kindModel, len(cfg.Kinds))
	for i, k := range cfg.Kinds {
		f.kinds[i] = drawKind(rng, k, amountSigma, cfg.LagPeak)
		f.maxLag = max(f.maxLag, len(f.kinds[i].lags)-1)
	}
	if cfg.StageBlindWins {
		f.blindWin = f.sourcedWin()
	}
	f.season = drawSeason(rng, cfg.SeasonAmplitude)
	f.slipShare = uniform(rng, 0.15, 0.6)
	if cfg.CloseOptimismMaxDays > 0 {
		f.slipShare = 1
	}
	f.amountChange = uniform(rng, 0.1, 0.35)
	f.skillSigma = uniform(rng, 0.1, 0.35)
	f.baseAmount = 10000 * uniform(rng, 0.7, 1.3)
	f.baseRate = uniform(rng, 0.3, 1.0)
	f.stretch = uniform(rng, 1.0, 1.25)
	return f
}

// sourcedWin is the stage model's P(win) at skill 1 of a sourced deal, weighted by the kinds' expected deals.
func (f *firm) sourcedWin() float64 {
	num, den := 0.0, 0.0
	for _, km := range f.kinds {
		num += km.share * km.p * f.winFrom(km.entry, 1)
		den += km.share * km.p
	}
	if den == 0 {
		return f.winFrom(baselineEntry, 1)
	}
	return num / den
}

func drawKind(rng *rand.Rand, k Kind, amountSigma float64, peak int) kindModel {
	m := kindModel{name: k.Name, share: k.Share, first: k.FirstMonth}
	m.p = min(1, k.SourceProb*uniform(rng, 0.8, 1.2))
	m.mean = k.MeanAmount * uniform(rng, 0.8, 1.25)
	m.mu = math.Log(max(m.mean, 1e-9)) - amountSigma*amountSigma/2
	m.entry, _ = stageIndex(k.EntryStage)
	if peak > 0 {
		m.lags = peakedLags(rng, k.MaxLag, peak)
	} else {
		m.lags = drawLags(rng, k.MaxLag)
	}
	if m.p == 0 {
		m.lags = []float64{1}
	}
	m.lagCum = cumulative(m.lags)
	return m
}

// drawLags draws a delay profile with share(l) proportional to (l+1)^h * rho^l and a clear peak: redraws until the
// largest share is at least peakMargin times every other, so the peak lag is a well-defined property of the truth.
func drawLags(rng *rand.Rand, maxLag int) []float64 {
	for range maxLagDraws {
		lags := lagProfile(maxLag, uniform(rng, 0.3, 0.75), uniform(rng, 0, 1.5))
		if clearPeak(lags) {
			return lags
		}
	}
	return lagProfile(maxLag, 0.5, 0)
}

// lagProfile returns the normalized shares (l+1)^h * rho^l for l = 0..maxLag.
func lagProfile(maxLag int, rho, h float64) []float64 {
	lags := make([]float64, maxLag+1)
	sum := 0.0
	for l := range lags {
		lags[l] = math.Pow(float64(l+1), h) * math.Pow(rho, float64(l))
		sum += lags[l]
	}
	for l := range lags {
		lags[l] /= sum
	}
	return lags
}

// peakedLags draws a delay profile over 0..maxLag that peaks at lag min(peak, maxLag): each step away from the peak
// multiplies the share by a ratio drawn for each side from [minPeakRatio, maxPeakRatio], so the peak is clear.
func peakedLags(rng *rand.Rand, maxLag, peak int) []float64 {
	peak = min(peak, maxLag)
	before, after := uniform(rng, minPeakRatio, maxPeakRatio), uniform(rng, minPeakRatio, maxPeakRatio)
	lags := make([]float64, maxLag+1)
	sum := 0.0
	for l := range lags {
		if l < peak {
			lags[l] = math.Pow(before, float64(peak-l))
		} else {
			lags[l] = math.Pow(after, float64(l-peak))
		}
		sum += lags[l]
	}
	for l := range lags {
		lags[l] /= sum
	}
	return lags
}

// clearPeak reports whether the largest share is at least peakMargin times every other share.
func clearPeak(lags []float64) bool {
	top, second := 0.0, 0.0
	for _, s := range lags {
		switch {
		case s > top:
			top, second = s, top
		case s > second:
			second = s
		}
	}
	return top >= peakMargin*second
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	cumulativeInto(c, w)
	return c
}

// pick returns the first index whose cumulative weight exceeds u.
func pick(cum []float64, u float64) int {
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// drawSeason draws activity volume by calendar month: quarter-end pushes, a December dip and a summer lull, each
// swing multiplied by amp when it is positive.
func drawSeason(rng *rand.Rand, amp float64) [12]float64 {
	push, dec, summer := uniform(rng, 0, 0.35), uniform(rng, 0.1, 0.4), uniform(rng, 0, 0.15)
	var s [12]float64
	for c := range s {
		s[c] = 1
		if c%3 == 2 {
			s[c] += push
		}
	}
	s[6] -= summer
	s[7] -= summer
	s[11] -= dec
	if amp > 0 {
		for c := range s {
			s[c] = max(minSeason, 1+amp*(s[c]-1))
		}
	}
	return s
}

// winFrom is P(win) of a deal now in open stage s for a rep of the given skill; with stage-blind wins it is the same
// in every stage.
func (f *firm) winFrom(s int, skill float64) float64 {
	if f.blindWin > 0 {
		return min(1, f.blindWin*skill)
	}
	p := min(1, f.conv[stNegotiation]*skill)
	for j := s; j < stNegotiation; j++ {
		p *= f.conv[j]
	}
	return p
}

// reach is P(a deal entering at stage e ever reaches stage s).
func (f *firm) reach(e, s int) float64 {
	if s < e {
		return 0
	}
	p := 1.0
	for j := e; j < s; j++ {
		p *= f.conv[j]
	}
	return p
}

// drawMiscalibration writes stage-file probabilities off the true rates by a seed-dependent factor and noise, or
// by exactly factor when it is positive (the draws are made either way, so the rest of the firm stays the same).
func (f *firm) drawMiscalibration(rng *rand.Rand, factor float64) {
	f.miscal = math.Exp(uniform(rng, 0.1, 0.45) * float64(1-2*rng.IntN(2)))
	if factor > 0 {
		f.miscal = factor
	}
	prev := 0.0
	for s := range stWon {
		noise := math.Exp(0.15 * rng.NormFloat64())
		if factor > 0 {
			noise = 1
		}
		p := f.trueRate[s] * f.miscal * noise
		p = math.Round(min(maxFileProb, max(minFileProb, p))*20) / 20
		f.fileProb[s] = max(p, prev)
		prev = f.fileProb[s]
	}
	f.fileProb[stWon], f.fileProb[stLost] = 1, 0
}
