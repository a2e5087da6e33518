package forecast

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// WinModel is a logistic classifier of whether an open deal is won before a target period ends,
// from what is known about the deal at the moment: its stage, how far its expected close date lies
// from the period's end and from the moment, whether it falls before the end, how much of the period
// is left, the deal's age and the share of its life (creation to expected close) already lived, the
// time since its stage last changed, how often its close date was pushed and its amount. Every
// input is a continuous function of the moment (whether the expected close falls before the end
// does not depend on it), so the chance moves smoothly as time passes.
type WinModel struct {
	Stages    []string  `json:"stages"`     // one indicator column each, in this order
	Coef      []float64 `json:"coef"`       // logit coefficients: the stage blocks (see stageBlocks), then the shared inputs
	AmountRef float64   `json:"amount_ref"` // median amount of the training snapshots
}

// dealAt is what is known about an open deal at one moment, in seconds and period lengths.
type dealAt struct {
	stage      int     // index into WinModel.Stages, -1 when unknown
	amount     float64 // current amount
	closeDate  int64   // expected close (Unix seconds); 0 when noClose
	noClose    bool    // no expected close date is known
	created    int64   // creation time (Unix seconds)
	stageSince int64   // when it entered its current stage (Unix seconds)
	pushes     int     // times its expected close date moved later
}

// winInputs is the number of shared (non-stage) inputs.
const winInputs = 20

// closeKnots are the hinge points, in period lengths relative to the period's end, of the close-date input.
var closeKnots = []float64{-1, -0.5, -0.25, 0, 0.25, 0.5, 1}

// inputs writes the shared inputs of a deal seen at moment m (Unix seconds) for a target period
// ending at end and lasting length seconds into dst.
func (w *WinModel) inputs(dst []float64, d dealAt, m, end int64, length float64) {
	left := math.Max(float64(end-m)/length, 1e-4)
	rel := clamp(float64(d.closeDate-end)/length, -3, 3)
	ahead := clamp(float64(d.closeDate-m)/length, -3, 3)
	dst[0] = math.Log(left)
	dst[1] = math.Max(0, left-1)
	dst[2] = rel
	for i, k := range closeKnots {
		dst[3+i] = math.Max(0, rel-k)
	}
	dst[10] = math.Min(0, ahead)
	dst[11] = math.Min(0, ahead+0.5)
	dst[12] = math.Log1p(math.Max(0, float64(m-d.created)) / length)
	dst[13] = math.Log1p(math.Max(0, float64(m-d.stageSince)) / length)
	dst[14] = math.Log1p(float64(d.pushes))
	ref := w.AmountRef
	if !(ref > 0) {
		ref = 1
	}
	dst[15] = clamp(math.Log(math.Max(d.amount, 1)/ref), -4, 4)
	inside := 0.0 // the expected close falls before the period's end: fixed for a deal, whatever the moment
	if d.closeDate < end {
		inside = 1
	}
	dst[16] = dst[0] * inside // time left matters most to deals expected inside the period
	dst[aheadInput] = clamp(ahead, 0, 1)
	dst[18] = inside
	dst[lifeInput] = lifeShare(float64(m-d.created), float64(d.closeDate-m))
	if d.noClose {
		noCloseInputs(dst)
	}
}

// noCloseInputs zeroes the inputs read from the expected close date, for a deal without one (such
// as an inferred version): it is expected in no particular period, and its chance comes from its
// stage, age, time left, pushes and amount alone.
func noCloseInputs(dst []float64) {
	for i := 2; i <= 11; i++ {
		dst[i] = 0
	}
	dst[16], dst[aheadInput], dst[18], dst[lifeInput] = 0, 0, 0, 0
}

// Indexes of the shared inputs holding the time until the expected close (0 to 1 period) and the
// share of its life the deal has lived.
const (
	aheadInput = 17
	lifeInput  = 19
)

// lifeShare returns the share of a deal's life from creation to expected close already lived: age
// over age plus the time still ahead, 1 once the expected close has passed. It is what tells how
// many of its stage changes a deal still has to make before its close.
func lifeShare(age, ahead float64) float64 {
	age = math.Max(0, age)
	if ahead <= 0 {
		return 1
	}
	return age / (age + ahead)
}

// clamp limits v to [lo, hi].
func clamp(v, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, v)) }

// prob returns the chance the deal is won before end, seen at m.
func (w *WinModel) prob(d dealAt, m, end int64, length float64) float64 {
	if m >= end {
		return 0
	}
	var x [winInputs]float64
	w.inputs(x[:], d, m, end, length)
	n := len(w.Stages)
	var z float64
	if d.stage >= 0 && d.stage < n {
		for b, v := range stageTerms(x[:]) {
			z += w.Coef[b*n+d.stage] * v
		}
	} else {
		for b, v := range stageTerms(x[:]) {
			z += meanOf(w.Coef[b*n:(b+1)*n]) * v
		}
	}
	z += dot(w.Coef[stageBlocks*n:], x[:])
	if d.noClose {
		return sigmoid(z) // never stale: there is no expected close to have passed
	}
	return sigmoid(z) * staleFactor(float64(m-d.closeDate)/length)
}

// Deals whose expected close passed more than staleFrom periods ago count less and less, and not at
// all past staleTo: such a deal was left open in the CRM, not worked (the classifier's inputs stop
// at 3 periods overdue, so it cannot tell a deal 4 months overdue from one 4 years overdue).
const (
	staleFrom = 4.0
	staleTo   = 6.0
)

// staleFactor returns the weight of a deal overdue by the given number of periods: 1 up to staleFrom,
// 0 from staleTo, smooth between.
func staleFactor(overdue float64) float64 {
	return 1 - ramp(2*(overdue-staleFrom)/(staleTo-staleFrom)-1)
}

// sigmoid returns 1 / (1 + e^-z).
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// winRow is one training snapshot: a deal's stage, its shared inputs, whether it was won in time and its weight.
type winRow struct {
	stage  int32
	x      [winInputs]float32
	won    bool
	weight float32
}

// winRidge is the ridge penalty on every coefficient, in units of training weight.
const winRidge = 2.0

// fitWinModel fits the classifier by Newton's method (iteratively reweighted least squares) with a
// ridge penalty, halving a step until it lowers the penalized loss (a full step from far off can
// overshoot without end, where the logistic weights vanish), from start's coefficients when start
// has the same stages and fits the rows better than the base rate does.
func fitWinModel(stages []string, rows []winRow, amountRef float64, start *WinModel) *WinModel {
	return fitWinModelOn(stages, rows, amountRef, start, 1)
}

// fitWinModelOn is fitWinModel spreading the sums over the rows over workers; every sum adds the
// same terms in the same order whatever their number, so the fit is the same.
func fitWinModelOn(stages []string, rows []winRow, amountRef float64, start *WinModel, workers int) *WinModel {
	w := &WinModel{Stages: stages, AmountRef: amountRef}
	p := stageBlocks*len(stages) + winInputs
	w.Coef = make([]float64, p)
	if len(rows) == 0 {
		for i := range stages {
			w.Coef[i] = -3
		}
		return w
	}
	base := baseRate(rows)
	for i := range stages {
		w.Coef[i] = math.Log(base / (1 - base))
	}
	ft := &winFit{rows: rows, stages: len(stages), workers: workers}
	loss := ft.loss(w.Coef)
	ft.keep()
	if start != nil && slices.Equal(start.Stages, stages) && len(start.Coef) == p {
		if l := ft.loss(start.Coef); l < loss {
			copy(w.Coef, start.Coef)
			loss = l
			ft.keep()
		}
	}
	xtwx := mat.NewSymDense(p, nil)
	grad := mat.NewVecDense(p, nil)
	next := make([]float64, p)
	for range 12 {
		ft.newton(w.Coef, xtwx, grad)
		var step mat.VecDense
		if err := step.SolveVec(xtwx, grad); err != nil {
			break
		}
		change := 0.0
		for t := 1.0; t > 1e-3; t /= 2 {
			for j := range p {
				next[j] = w.Coef[j] + t*step.AtVec(j)
			}
			if l := ft.loss(next); l <= loss {
				loss, change = l, t*mat.Norm(&step, math.Inf(1))
				copy(w.Coef, next)
				ft.keep()
				break
			}
		}
		if change < 1e-4 {
			break
		}
	}
	return w
}

// winFit holds the training rows of one classifier fit.
type winFit struct {
	rows    []winRow
	stages  int
	workers int       // goroutines the sums over the rows are spread over; 0 or 1 for none
	terms   []float64 // scratch: one number per row
	z, kept []float64 // each row's inner product with the coefficients of the last loss, and of the last kept one
	owner   []int     // worker that adds each Hessian row's entries (see owners)
}

// parts returns the number of parts the rows are split into.
func (ft *winFit) parts() int { return max(1, ft.workers) }

// span returns the range of rows of part i out of n.
func (ft *winFit) span(i, n int) (lo, hi int) {
	return i * len(ft.rows) / n, (i + 1) * len(ft.rows) / n
}

// scratch returns a buffer of one number per row.
func (ft *winFit) scratch() []float64 {
	if len(ft.terms) != len(ft.rows) {
		ft.terms = make([]float64, len(ft.rows))
	}
	return ft.terms
}

// keep records that the coefficients of the last loss are those newton is next called at.
func (ft *winFit) keep() { ft.z, ft.kept = ft.kept, ft.z }

// loss returns the penalized negative log-likelihood of the coefficients: the rows' terms are
// computed in parts, then summed in the rows' order.
func (ft *winFit) loss(coef []float64) float64 {
	terms, n := ft.scratch(), ft.parts()
	if len(ft.z) != len(ft.rows) {
		ft.z = make([]float64, len(ft.rows))
	}
	forEach(n, n, func(part int) {
		sr := newSparseRow(ft.stages)
		lo, hi := ft.span(part, n)
		for i := lo; i < hi; i++ {
			r := ft.rows[i]
			sr.set(r)
			z := sr.dot(coef)
			ft.z[i] = z
			if r.won {
				z = -z
			}
			terms[i] = float64(r.weight) * softplus(z) // -log P(the row's outcome)
		}
	})
	out := 0.0
	for _, t := range terms {
		out += t
	}
	return out + winRidge/2*dot(coef, coef)
}

// sparseRow is a training row's design row without the stage blocks' structural zeros: its
// entries col[lo:], val[lo:] in the order of their columns (the stage terms, then the shared
// inputs), so sums over it add the same terms in the same order as sums over the full row (the
// terms left out are exact zeros).
type sparseRow struct {
	lo     int
	stages int
	col    [stageBlocks + winInputs]int
	val    [stageBlocks + winInputs]float64
}

// newSparseRow returns a sparseRow for a model of the given number of stages.
func newSparseRow(stages int) *sparseRow {
	sr := &sparseRow{stages: stages}
	for i := range winInputs {
		sr.col[stageBlocks+i] = stageBlocks*stages + i
	}
	return sr
}

// set writes the design row of r (see rowOf).
func (sr *sparseRow) set(r winRow) {
	x := sr.val[stageBlocks:]
	for i, v := range r.x {
		x[i] = float64(v)
	}
	sr.lo = stageBlocks
	if r.stage >= 0 {
		sr.lo = 0
		for b, v := range stageTerms(x) {
			sr.col[b], sr.val[b] = b*sr.stages+int(r.stage), v
		}
	}
}

// dot returns the row's inner product with coef.
func (sr *sparseRow) dot(coef []float64) float64 {
	s := 0.0
	for k := sr.lo; k < len(sr.col); k++ {
		s += coef[sr.col[k]] * sr.val[k]
	}
	return s
}

// addOuter adds w * row row' to the rows of the upper triangle of raw that owner gives to worker
// wk, as adding w a b at every pair of the full row's entries a, b would.
func (sr *sparseRow) addOuter(raw []float64, stride int, w float64, owner []int, wk int) {
	for k := sr.lo; k < len(sr.col); k++ {
		a, c := sr.val[k], sr.col[k]
		if a == 0 || owner[c] != wk {
			continue
		}
		wa := w * a
		out := raw[c*stride:]
		for l := k; l < len(sr.col); l++ {
			out[sr.col[l]] += wa * sr.val[l]
		}
	}
}

// softplus returns log(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

// newton writes the penalized loss's Hessian into xtwx and its negative gradient into grad at coef.
// The rows' chances are computed in parts; then each worker adds, over all rows in order, the
// entries of the Hessian rows it owns (worker 0 also the gradient), so every entry is the same sum
// in the same order as with one worker.
func (ft *winFit) newton(coef []float64, xtwx *mat.SymDense, grad *mat.VecDense) {
	xtwx.Zero()
	grad.Zero()
	mu, n := ft.scratch(), ft.parts()
	forEach(n, n, func(part int) {
		sr := newSparseRow(ft.stages)
		lo, hi := ft.span(part, n)
		for i := lo; i < hi; i++ {
			if len(ft.kept) == len(ft.rows) { // the last kept loss was at coef
				mu[i] = sigmoid(ft.kept[i])
				continue
			}
			sr.set(ft.rows[i])
			mu[i] = sigmoid(sr.dot(coef))
		}
	})
	owner := ft.owners(len(coef), n)
	raw, g := xtwx.RawSymmetric(), grad.RawVector()
	forEach(n, n, func(wk int) {
		sr := newSparseRow(ft.stages)
		for i, r := range ft.rows {
			sr.set(r)
			wt := float64(r.weight) * math.Max(mu[i]*(1-mu[i]), 1e-6)
			sr.addOuter(raw.Data, raw.Stride, wt, owner, wk)
			if wk != 0 {
				continue
			}
			y := 0.0
			if r.won {
				y = 1
			}
			for k := sr.lo; k < len(sr.col); k++ {
				if v := sr.val[k]; v != 0 {
					j := sr.col[k] * g.Inc
					g.Data[j] += float64(r.weight) * (y - mu[i]) * v
				}
			}
		}
	})
	for j := range coef {
		xtwx.SetSym(j, j, xtwx.At(j, j)+winRidge)
		grad.SetVec(j, grad.AtVec(j)-winRidge*coef[j])
	}
}

// owners returns, for each of the p coefficients, the worker out of n that adds its Hessian row:
// consecutive coefficients, split so that each worker has about the same number of products to add
// (a stage column is in a row only for deals of its stage; a later column has fewer entries right of it).
func (ft *winFit) owners(p, n int) []int {
	if len(ft.owner) == p {
		return ft.owner
	}
	cost := make([]float64, p)
	total := 0.0
	for c := range p {
		if b := c / max(1, ft.stages); c < stageBlocks*ft.stages {
			cost[c] = float64(stageBlocks-b+winInputs) / float64(ft.stages)
		} else {
			cost[c] = float64(p - c)
		}
		total += cost[c]
	}
	ft.owner = make([]int, p)
	acc := 0.0
	for c := range p {
		ft.owner[c] = min(n-1, int(float64(n)*acc/total))
		acc += cost[c]
	}
	return ft.owner
}

// baseRate returns the weighted share of won rows, kept inside (0.001, 0.999).
func baseRate(rows []winRow) float64 {
	var n, won float64
	for _, r := range rows {
		n += float64(r.weight)
		if r.won {
			won += float64(r.weight)
		}
	}
	return clamp(won/n, 0.001, 0.999)
}

// stageBlocks is the number of per-stage coefficient blocks (see stageTerms).
const stageBlocks = 4

// stageTerms returns, from a deal's shared inputs, the terms each stage has its own coefficient of:
// the stage itself, the log of the time left, how soon the deal is expected to close and the share
// of its life lived (a deal that still has stages to pass before its close is less likely to pass
// them all the less of its life is left).
func stageTerms(x []float64) [stageBlocks]float64 {
	return [stageBlocks]float64{1, x[0], soonOf(x), x[lifeInput]}
}

// soonOf returns, from a deal's shared inputs, how soon it is expected to close: 1 when its expected
// close date has passed, falling smoothly to 0 for dates a period or more ahead.
func soonOf(x []float64) float64 { return 1 - x[aheadInput] }

// rowOf writes a training row's full design row (the stage blocks, then the shared inputs).
func rowOf(dst []float64, r winRow, stages int) {
	for i := range stageBlocks * stages {
		dst[i] = 0
	}
	if r.stage >= 0 {
		var x [winInputs]float64
		for i, v := range r.x {
			x[i] = float64(v)
		}
		for b, v := range stageTerms(x[:]) {
			dst[b*stages+int(r.stage)] = v
		}
	}
	for i, v := range r.x {
		dst[stageBlocks*stages+i] = float64(v)
	}
}

// check reports whether the coefficients fit this version's inputs (a model stored by an older
// version may have other inputs).
func (w *WinModel) check() error {
	if want := stageBlocks*len(w.Stages) + winInputs; len(w.Coef) != want {
		return fmt.Errorf("stage model has %d coefficients, this version uses %d", len(w.Coef), want)
	}
	return nil
}
