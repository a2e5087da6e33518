//go:build !race

package forecast

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/model"
)

// TestDiagnoseFirms decomposes the combined forecast's rep WAPE per firm and elapsed share: the
// error implied by its own draws (the noise floor: the expected WAPE if outcomes followed the draws
// and the point were their median), the error left when the open pipeline's outcome is told (so
// only new business errs) and when new business is told (so only the pipeline errs), and each
// component's bias. It runs only with SALESRECIPE_DIAG set (firm name substrings, or "all").
func TestDiagnoseFirms(t *testing.T) {
	diagnose(t, func(t *testing.T, qf qualityFirm) string { return diagnoseFirm(t, qf, DefaultPoints(4)) })
}

// diagnose runs diag on every evaluation firm SALESRECIPE_DIAG names (substrings, comma-separated,
// or "all") and logs the lines it returns; it skips the test without SALESRECIPE_DIAG.
func diagnose(t *testing.T, diag func(*testing.T, qualityFirm) string) {
	filter := os.Getenv("SALESRECIPE_DIAG")
	if filter == "" {
		t.Skip("set SALESRECIPE_DIAG=all (or comma-separated firm name substrings) to run the diagnosis")
	}
	var report strings.Builder
	for _, qf := range evalFirms(6) {
		if filter != "all" && !slices.ContainsFunc(strings.Split(filter, ","), func(f string) bool { return strings.Contains(qf.name, f) }) {
			continue
		}
		report.WriteString(diag(t, qf))
	}
	t.Log("\n" + report.String())
}

// diagTally accumulates one firm and share's decomposition over rep-months.
type diagTally struct {
	actual, own, median, floor, pipeTold, newTold                          float64
	closed, pipeActual, freshActual, otherActual, pipeMean, newMean, inInt float64
	sw, rr, lp                                                             float64
	oracleLow, oracleEst, oracleMean                                       float64
	band1, band05                                                          float64
	pipeToldFloor, newToldFloor                                            float64
	muSum, freshCount, amountMean                                          float64
	byRep, byPeriod                                                        map[string]*[2]float64
	n                                                                      int
	cat                                                                    [3]catTally
}

// catTally compares the pipeline's chances with the oracle's over deals of one close-date category.
type catTally struct{ ours, oracle, won, brierOurs, brierOracle, amount float64 } // amount-weighted

// diagnoseFirm backtests the firm and returns one line per share.
func diagnoseFirm(t *testing.T, qf qualityFirm, pts []AsOfPoint) string {
	ctx := context.Background()
	f := generate(t, qf.cfg)
	st := memory(t, "acme", f.dir)
	to := salesrecipe.NewPeriod(salesrecipe.GrainMonth, qf.cfg.End).Prev()
	from := to
	for range qf.periods - 1 {
		from = from.Prev()
	}
	horizon := qf.cfg.End
	var moments []time.Time
	for p := from; !p.Start.After(to.Start); p = p.Next() {
		for _, pt := range pts {
			moments = append(moments, fitMoments(p.Grain, pt.At(p))...)
		}
	}
	lb, err := newLab(ctx, st, "acme", salesrecipe.GrainMonth, horizon, model.Options{}, clock(horizon), moments)
	if err != nil {
		t.Fatal(err)
	}
	tallies := make([]diagTally, len(pts))
	rows := make([][]oracleRow, len(pts))
	for p := from; !p.Start.After(to.Start); p = p.Next() {
		actual := lb.book.won(p.Start, p.End(), horizon)
		for k, pt := range pts {
			at := pt.At(p)
			m, err := lb.model(ctx, at, false)
			if err != nil {
				t.Fatal(err)
			}
			in, err := readInputs(ctx, lb.rd, p, at, m.lags())
			if err != nil {
				t.Fatal(err)
			}
			fs := featureSet{in: in, rc: m.Recipe, pm: m.Pipeline, file: m.fileProbabilities(), fallback: m.WinRate}
			feats := fs.compute(slices.Sorted(maps.Keys(actual)))
			parts := actualParts(lb.book, p, at, horizon)
			orc := oracleChances(lb.book, f.truth, p, at)
			tallies[k].addDeals(lb.book, f.truth, m, p, at)
			for _, rep := range slices.Sorted(maps.Keys(feats)) {
				fe := feats[rep]
				if !fe.Seen && actual[rep] == 0 {
					continue
				}
				tallies[k].add(m.Combiner, rep, fe, p, actual[rep], parts[rep])
				rows[k] = append(rows[k], oracleRow{m.Combiner, rep, fe, p, actual[rep], parts[rep], orc[rep]})
			}
		}
	}
	for k := range pts {
		scale := tallies[k].freshActual / math.Max(tallies[k].newMean, 1)
		for _, r := range rows[k] {
			tallies[k].addOracle(r, scale)
		}
	}
	var b strings.Builder
	for k, pt := range pts {
		d := tallies[k]
		for c, name := range []string{"overdue", "closes in rest", "closes later"} {
			x := d.cat[c]
			fmt.Fprintf(&b, "  %-22s %4s %-15s amount %.2f of actual: expected ours %.3f oracle %.3f won %.3f | brier ours %.4f oracle %.4f\n",
				qf.name, pt.Name, name, x.amount/d.actual, x.ours/d.actual, x.oracle/d.actual, x.won/d.actual, x.brierOurs/x.amount, x.brierOracle/x.amount)
		}
		best := math.Min(d.sw, math.Min(d.rr, d.lp))
		a := d.actual
		fmt.Fprintf(&b, "%-22s %4s own %.3f (%.2fx) oracle floor: new told %.3f (%.2fx), new ours %.3f (%.2fx), mean/actual %.2f | band .1 %.3f (%.2fx) at .5 %.3f | median %.3f floor %.3f (%.2fx) | pipe told %.3f (floor %.3f) new told %.3f (floor %.3f) | actual: closed %.2f pipe %.2f new %.2f other %.2f | mean/actual pipe %.2f new %.2f | cov %.0f%% | new count ours %.0f actual %.0f, mean amount ours %.0f actual %.0f | dispersion by rep %.2f by period %.2f\n",
			qf.name, pt.Name, d.own/a, d.own/best, d.oracleLow/a, d.oracleLow/best, d.oracleEst/a, d.oracleEst/best, d.oracleMean/math.Max(d.pipeActual, 1), d.band1/a, d.band1/best, d.band05/a, d.median/a, d.floor/a, d.floor/best, d.pipeTold/a, d.pipeToldFloor/a, d.newTold/a, d.newToldFloor/a,
			d.closed/a, d.pipeActual/a, d.freshActual/a, d.otherActual/a, d.pipeMean/math.Max(d.pipeActual, 1), d.newMean/math.Max(d.freshActual, 1), 100*d.inInt/float64(d.n), d.muSum, d.freshCount, d.amountMean/float64(d.n), d.freshActual/math.Max(1, d.freshCount), dispersion(d.byRep), dispersion(d.byPeriod))
	}
	return b.String()
}

// add records one rep-month.
func (d *diagTally) add(c *Combiner, rep string, f *repFeatures, p salesrecipe.Period, actual float64, parts [4]float64) {
	pr := c.predict(rep, "", f, p.Start.Unix())
	prm := c.at(f.Tau)
	seed := seedOf(rep, p.Start.Unix(), 0)
	mu := c.newMean(prm, f)
	n := len(pr.draws)
	told := make([]float64, n) // pipeline told
	newTold := make([]float64, n)
	for i := range n {
		pipe := pipelineDraw(prm, f, seed, uint64(i))
		fresh := c.newDeals(mu, seed^0x9e3779b97f4a7c15, uint64(i))
		if f.Tau >= 1 {
			pipe, fresh = 0, 0
		}
		told[i] = f.Closed + parts[0] + fresh
		newTold[i] = f.Closed + pipe + parts[1]
		d.pipeMean += pipe / float64(n)
		d.newMean += fresh / float64(n)
	}
	s := sorted(pr.draws)
	med := model.QuantileSorted(s, 0.5)
	floor := 0.0
	for _, v := range s {
		floor += math.Abs(v - med)
	}
	d.actual += actual
	d.own += math.Abs(actual - pr.forecast)
	d.median += math.Abs(actual - med)
	d.band1 += math.Abs(actual - bandMean(s, prm.point, 0.1))
	d.band05 += math.Abs(actual - bandMean(s, 0.5, 0.1))
	d.floor += floor / float64(n)
	d.pipeTold += math.Abs(actual - pointOf(sorted(told), prm.point))
	d.pipeToldFloor += meanAbsFromMedian(told)
	d.newToldFloor += meanAbsFromMedian(newTold)
	d.newTold += math.Abs(actual - pointOf(sorted(newTold), prm.point))
	d.closed += f.Closed
	d.muSum += mu
	if d.byRep == nil {
		d.byRep, d.byPeriod = map[string]*[2]float64{}, map[string]*[2]float64{}
	}
	for _, kv := range []struct {
		m map[string]*[2]float64
		k string
	}{{d.byRep, rep}, {d.byPeriod, p.String()}} {
		if kv.m[kv.k] == nil {
			kv.m[kv.k] = &[2]float64{}
		}
		kv.m[kv.k][0] += mu
		kv.m[kv.k][1] += parts[3]
	}
	d.freshCount += parts[3]
	d.amountMean += meanOf(c.Amounts)
	d.pipeActual += parts[0]
	d.freshActual += parts[1]
	d.otherActual += parts[2]
	if actual >= pr.low && actual <= pr.high {
		d.inInt++
	}
	runRate := 0.0
	if f.Tau > 0 {
		runRate = f.Closed / f.Tau
	}
	d.sw += math.Abs(actual - f.Closed - f.PFile)
	d.rr += math.Abs(actual - runRate)
	d.lp += math.Abs(actual - f.Last)
	d.n++
}

// actualParts splits each rep's won revenue of p (as known at horizon) not yet won at the moment
// at into deals open at at, deals created after at, and the rest (closed otherwise then).
func actualParts(b *book, p salesrecipe.Period, at, horizon time.Time) map[string][4]float64 {
	out := map[string][4]float64{}
	for _, i := range b.closedBetween(p.Start, p.End()) {
		h := b.deals[i]
		dv, ok := stateAt(h, horizon)
		d := b.plain(dv)
		if !ok || d.Status != salesrecipe.StatusWon || d.ClosedAt.Before(p.Start) || !d.ClosedAt.Before(p.End()) {
			continue
		}
		v := out[d.RepID]
		tv, existed := stateAt(h, at)
		switch then := b.plain(tv); {
		case !existed:
			v[1] += d.Amount
			v[3]++
		case then.Status == salesrecipe.StatusOpen:
			v[0] += d.Amount
		case then.Status == salesrecipe.StatusWon && !then.ClosedAt.Before(p.Start):
			// closed so far: in f.Closed
		default:
			v[2] += d.Amount
		}
		out[d.RepID] = v
	}
	return out
}

// oracleChances returns, per rep, every deal open at at with its chance of a win in p under the
// generator's true mechanics, told what the data cannot tell at at: the deal's true close time (its
// final closed_at) and the rep's skill. With the stage conversions it is the posterior chance that
// the deal ends in negotiation (stage changes fall uniformly between creation and close), times the
// chance negotiation is won; with stage-blind wins the firm's one chance times skill.
func oracleChances(b *book, tr synth.Truth, p salesrecipe.Period, at time.Time) map[string][]chance {
	pos, conv := map[string]int{}, map[int]float64{}
	neg := 0
	for _, s := range tr.Stages {
		pos[s.Stage] = s.Position - 1
		conv[s.Position-1] = s.Conversion
		if s.Stage == "negotiation" {
			neg = s.Position - 1
		}
	}
	skill := map[string]float64{}
	for _, r := range tr.Reps {
		skill[r.RepID] = r.Skill
		if os.Getenv("SALESRECIPE_DIAG_NOSKILL") != "" { // an oracle not told the reps' skill
			skill[r.RepID] = 1
		}
	}
	out := map[string][]chance{}
	for _, h := range b.deals {
		i := stateIndex(h, at)
		if i < 0 || h[i].Status != salesrecipe.VersionOpen {
			continue
		}
		final := b.plain(h[len(h)-1])
		if final.Status == salesrecipe.StatusOpen || final.ClosedAt.Before(at) || !final.ClosedAt.Before(p.End()) {
			out[final.RepID] = append(out[final.RepID], chance{0, final.Amount})
			continue
		}
		win := math.Min(1, conv[neg]*skill[final.RepID])
		if tr.StageBlindWin > 0 {
			win = math.Min(1, tr.StageBlindWin*skill[final.RepID])
		} else {
			e, s := pos[b.stages[h[0].Stage]], pos[b.stages[h[i].Stage]]
			created := b.plain(h[0]).CreatedAt
			r := at.Sub(created).Seconds() / final.ClosedAt.Sub(created).Seconds()
			win *= reachNegotiation(conv, e, s, neg, r)
		}
		out[final.RepID] = append(out[final.RepID], chance{win, final.Amount})
	}
	return out
}

// reachNegotiation returns the posterior chance that a deal that entered at stage e and is in stage s
// after a share r of its life ends in negotiation.
func reachNegotiation(conv map[int]float64, e, s, neg int, r float64) float64 {
	var num, den float64
	reach := 1.0
	for f := e; f <= neg; f++ {
		prior := reach
		if f < neg {
			prior *= 1 - conv[f]
		}
		if f >= s {
			n, k := f-e, s-e
			like := binom(n, k) * math.Pow(r, float64(k)) * math.Pow(1-r, float64(n-k))
			den += prior * like
			if f == neg {
				num += prior * like
			}
		}
		reach *= conv[f]
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// binom returns n choose k.
func binom(n, k int) float64 {
	out := 1.0
	for i := range k {
		out *= float64(n-i) / float64(i+1)
	}
	return out
}

// oracleRow is one rep-month's forecast inputs with the oracle's chances of its open deals.
type oracleRow struct {
	c      *Combiner
	rep    string
	f      *repFeatures
	p      salesrecipe.Period
	actual float64
	parts  [4]float64
	deals  []chance
}

// addOracle records the oracle's floors of one rep-month: the expected absolute error of the median
// of closed + the oracle's pipeline draws + new business told (a lower bound), or + this forecast's
// own new-business draws with their mean scaled by newScale (the firm's new business over this
// forecast's expectation of it at the share, so that the new business is right on average).
func (d *diagTally) addOracle(r oracleRow, newScale float64) {
	const n = 1000
	c, f := r.c, r.f
	prm := c.at(f.Tau)
	seed := seedOf(r.rep, r.p.Start.Unix(), 7)
	mu := newScale * c.newMean(prm, f)
	low, est := make([]float64, n), make([]float64, n)
	for i := range n {
		s := 0.0
		for j, dl := range r.deals {
			if unitHash(seed, uint64(i), uint64(j)) < dl.p {
				s += dl.amount
			}
		}
		low[i] = f.Closed + s + r.parts[1]
		est[i] = f.Closed + s + c.newDeals(mu, seed^0x9e3779b97f4a7c15, uint64(i))
	}
	for _, dl := range r.deals {
		d.oracleMean += dl.p * dl.amount
	}
	d.oracleLow += meanAbsFromMedian(low)
	d.oracleEst += meanAbsFromMedian(est)
}

// meanAbsFromMedian returns the mean absolute deviation of v from its median.
func meanAbsFromMedian(v []float64) float64 {
	s := sorted(v)
	med := model.QuantileSorted(s, 0.5)
	out := 0.0
	for _, x := range s {
		out += math.Abs(x - med)
	}
	return out / float64(len(s))
}

// addDeals compares, deal by deal, the pipeline's chance (with the combination's scale) with the oracle's.
func (d *diagTally) addDeals(b *book, tr synth.Truth, m *Model, p salesrecipe.Period, at time.Time) {
	scale := m.Combiner.at(elapsed(p, at)).pipeline
	orc := oracleChances(b, tr, p, at) // same deal order per rep as below
	idx := map[string]int{}
	for _, h := range b.deals {
		i := stateIndex(h, at)
		if i < 0 || h[i].Status != salesrecipe.VersionOpen {
			continue
		}
		od := b.openState(h, i, amountWindow(p.Grain, at), at)
		final := b.plain(h[len(h)-1])
		rep := final.RepID
		oc := orc[rep][idx[rep]]
		idx[rep]++
		q := math.Min(1, scale*math.Min(1, m.Pipeline.rate(od, at, p)*m.Pipeline.factor(od.RepID)))
		won := 0.0
		if final.Status == salesrecipe.StatusWon && !final.ClosedAt.Before(at) && final.ClosedAt.Before(p.End()) {
			won = 1
		}
		c := 2
		switch {
		case od.CloseDate.Before(at):
			c = 0
		case od.CloseDate.Before(p.End()):
			c = 1
		}
		x := &d.cat[c]
		a := final.Amount
		x.amount += od.Amount
		x.ours += q * od.Amount
		x.oracle += oc.p * a
		x.won += won * a
		x.brierOurs += (q - won) * (q - won) * a
		x.brierOracle += (oc.p - won) * (oc.p - won) * a
	}
}

// dispersion returns the mean over groups of (actual - s expected)^2 / (s expected), s scaling the
// expectations to the actual total: about 1 when the groups' counts are Poisson around the scaled
// expectations, more when groups differ in ways the expectations miss.
func dispersion(groups map[string]*[2]float64) float64 {
	var mu, act float64
	for _, g := range groups {
		mu += g[0]
		act += g[1]
	}
	if mu == 0 {
		return 0
	}
	s, out, n := act/mu, 0.0, 0.0
	for _, g := range groups {
		if e := s * g[0]; e > 0.5 {
			out += (g[1] - e) * (g[1] - e) / e
			n++
		}
	}
	return out / math.Max(n, 1)
}

// plainVersion is a book version with its rep, stage, status and times spelled out, as the
// diagnosis reads them.
type plainVersion struct {
	RepID, Stage        string
	Status              salesrecipe.DealStatus
	Amount              float64
	ClosedAt, CreatedAt time.Time // zero when unknown
}

// plain spells out a book version.
func (b *book) plain(v version) plainVersion {
	out := plainVersion{RepID: b.reps[v.Rep], Stage: b.stages[v.Stage], Amount: v.Amount, Status: salesrecipe.StatusOpen}
	switch v.Status {
	case salesrecipe.VersionWon:
		out.Status = salesrecipe.StatusWon
	case salesrecipe.VersionLost:
		out.Status = salesrecipe.StatusLost
	}
	if v.Closed != salesrecipe.Unknown {
		out.ClosedAt = time.UnixMilli(v.Closed).UTC()
	}
	if v.Created != salesrecipe.Unknown && v.Created != 0 {
		out.CreatedAt = time.UnixMilli(v.Created).UTC()
	}
	return out
}
