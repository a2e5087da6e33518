package model

import "math"

// The names of the two candidate forms of the delay.
const (
	MethodFreeLags = "free-lags" // one coefficient per kind and lag 0..L
	MethodAdstock  = "adstock"   // delayed carry-over: b(k,l) = beta(k) * C(l+s(k), s(k)) * decay(k)^l, l = 0..W
)

// shapes are the adstock delay shapes tried: 0 is geometric (peaks at once), larger ones peak later.
var shapes = []int{0, 1, 2, 3}

// carry returns the weight of lag l in a delayed carry-over of the given decay and shape, C(l+s, s) decay^l: a
// geometric decay for s = 0 and, like a negative binomial, a profile that rises before it falls, peaking
// later as s and the decay grow.
func carry(decay float64, s, l int) float64 {
	w := math.Pow(decay, float64(l))
	for i := 1; i <= s; i++ {
		w *= float64(l+i) / float64(i)
	}
	return w
}

// form is one candidate shape of the regression: free lags of per-kind depth or geometric adstock over the window W.
type form struct {
	method string
	lags   int       // deepest lag: the largest per-kind depth for free lags, W for adstock
	decay  []float64 // per kind, adstock only
	shape  []int     // per kind, adstock only: the delay shape of carry
	cols   [][]term  // model columns as combinations of full-lag features; column 0 is the intercept
	kinds  []int     // kind of each column, -1 for the intercept
	lagOf  []int     // lag of each free-lag column
}

// term is one full-lag feature index with its weight in a model column.
type term struct {
	idx int
	w   float64
}

// freeLagsDepths returns the free-lag form in which kind k has lags 0..depth[k], over a design with window w.
func freeLagsDepths(depth []int, w int) *form {
	f := &form{method: MethodFreeLags, cols: [][]term{{{0, 1}}}, kinds: []int{-1}, lagOf: []int{0}}
	for kind, d := range depth {
		f.lags = max(f.lags, d)
		for lag := 0; lag <= d; lag++ {
			f.cols = append(f.cols, []term{{1 + kind*(w+1) + lag, 1}})
			f.kinds, f.lagOf = append(f.kinds, kind), append(f.lagOf, lag)
		}
	}
	return f
}

// adstock returns the delayed carry-over form with the given per-kind decays and shapes over window w.
func adstock(decay []float64, shape []int, w int) *form {
	f := &form{method: MethodAdstock, lags: w, decay: append([]float64(nil), decay...), shape: append([]int(nil), shape...),
		cols: [][]term{{{0, 1}}}, kinds: []int{-1}}
	for kind, th := range decay {
		col := make([]term, 0, w+1)
		for lag := 0; lag <= w; lag++ {
			col = append(col, term{1 + kind*(w+1) + lag, carry(th, shape[kind], lag)})
		}
		f.cols = append(f.cols, col)
		f.kinds = append(f.kinds, kind)
	}
	return f
}

// p returns the number of model columns.
func (f *form) p() int { return len(f.cols) }

// projectVec maps a full-lag vector onto the model columns.
func (f *form) projectVec(v []float64) []float64 {
	out := make([]float64, len(f.cols))
	for c, col := range f.cols {
		for _, tm := range col {
			out[c] += tm.w * v[tm.idx]
		}
	}
	return out
}

// projectGram maps an upper-triangular full-lag cross-product (P*P) onto the model columns (full p*p).
func (f *form) projectGram(g []float64, bigP int) []float64 {
	p := len(f.cols)
	out := make([]float64, p*p)
	for a := range p {
		for b := a; b < p; b++ {
			s := 0.0
			for _, ta := range f.cols[a] {
				for _, tb := range f.cols[b] {
					i, j := min(ta.idx, tb.idx), max(ta.idx, tb.idx)
					s += ta.w * tb.w * g[i*bigP+j]
				}
			}
			out[a*p+b], out[b*p+a] = s, s
		}
	}
	return out
}

// lagCoefficients turns model coefficients into b(k,l) for l = 0..lags.
func (f *form) lagCoefficients(beta []float64, k int) [][]float64 {
	b := make([][]float64, k)
	for kind := range k {
		b[kind] = make([]float64, f.lags+1)
	}
	for c := 1; c < len(f.cols); c++ {
		kind := f.kinds[c]
		if f.method == MethodFreeLags {
			b[kind][f.lagOf[c]] = beta[c]
			continue
		}
		for lag := range b[kind] {
			b[kind][lag] = beta[c] * carry(f.decay[kind], f.shape[kind], lag)
		}
	}
	return b
}

// withoutKind returns a copy of the form in which kind k has no columns' features, so its effect is zero.
func (f *form) withoutKind(k int) *form {
	g := *f
	g.cols = append([][]term(nil), f.cols...)
	for c := range g.cols {
		if f.kindOf(c) == k {
			g.cols[c] = nil
		}
	}
	return &g
}

// kindOf returns the kind of model column c, -1 for the intercept.
func (f *form) kindOf(c int) int {
	return f.kinds[c]
}
