//go:build !race

package forecast

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// TestDiagnoseWinModel checks the stage model's parts against the generator's truth, per firm: at
// 60% and 80% of each of the last 3 months, the classifier's mean chance (without and with the rep
// factors) of the deals expected to close in the time left against the share of them won, by count
// and by amount; and, at the last 80% moment, how well the reps' win factors track the reps' true
// skill. It runs only with SALESRECIPE_DIAG set (firm name substrings, or "all").
func TestDiagnoseWinModel(t *testing.T) {
	diagnose(t, diagnoseWinModel)
}

// calibration sums the chances and outcomes of the deals expected to close in the time left.
type calibration struct{ n, raw, factored, won, rawAmount, factoredAmount, wonAmount float64 }

// diagnoseWinModel fits the firm's models at 60% and 80% of its last 3 months and returns its lines.
func diagnoseWinModel(t *testing.T, qf qualityFirm) string {
	ctx := context.Background()
	f := generate(t, qf.cfg)
	st := memory(t, "acme", f.dir)
	pts := DefaultPoints(4)[2:]
	last := salesrecipe.NewPeriod(salesrecipe.GrainMonth, qf.cfg.End).Prev()
	var periods []salesrecipe.Period
	var moments []time.Time
	for p := last.Prev().Prev(); !p.Start.After(last.Start); p = p.Next() {
		periods = append(periods, p)
		for _, pt := range pts {
			moments = append(moments, fitMoments(p.Grain, pt.At(p))...)
		}
	}
	lb, err := newLab(ctx, st, "acme", salesrecipe.GrainMonth, qf.cfg.End, model.Options{}, clock(qf.cfg.End), moments)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var m *Model
	for _, pt := range pts {
		var c calibration
		for _, p := range periods {
			at := pt.At(p)
			if m, err = lb.model(ctx, at, false); err != nil {
				t.Fatal(err)
			}
			c.add(lb.book, m.Pipeline, p, at)
		}
		fmt.Fprintf(&b, "%-22s %4s deals expected in the rest %5.0f: mean chance %.3f, with rep factors %.3f, won %.3f | by amount, over won: %.3f, %.3f\n",
			qf.name, pt.Name, c.n, c.raw/c.n, c.factored/c.n, c.won/c.n, c.rawAmount/c.wonAmount, c.factoredAmount/c.wonAmount)
	}
	skill := map[string]float64{}
	for _, r := range f.truth.Reps {
		skill[r.RepID] = r.Skill
	}
	fmt.Fprintf(&b, "%-22s rep factors vs skill: %s\n", qf.name, factorFit(m.Pipeline.RepFactor, skill))
	return b.String()
}

// add records the deals open at at and expected to close before p ends.
func (c *calibration) add(b *book, pm *Pipeline, p salesrecipe.Period, at time.Time) {
	for _, h := range b.deals {
		i := stateIndex(h, at)
		if i < 0 || h[i].Status != salesrecipe.VersionOpen {
			continue
		}
		od := b.openState(h, i, amountWindow(p.Grain, at), at)
		if od.CloseDate.Before(at) || !od.CloseDate.Before(p.End()) {
			continue
		}
		final := b.plain(h[len(h)-1])
		won := 0.0
		if final.Status == salesrecipe.StatusWon && !final.ClosedAt.Before(at) && final.ClosedAt.Before(p.End()) {
			won = 1
		}
		r := pm.rate(od, at, p)
		q := math.Min(1, r*pm.factor(od.RepID))
		c.n++
		c.raw, c.factored, c.won = c.raw+r, c.factored+q, c.won+won
		c.rawAmount, c.factoredAmount, c.wonAmount = c.rawAmount+r*od.Amount, c.factoredAmount+q*od.Amount, c.wonAmount+won*od.Amount
	}
}

// factorFit compares the logs of the reps' factors with the logs of their true skill: their spreads,
// correlation, the slope of skill on factor (1 when the factors are shrunk just right, below 1 when
// too little) and the root mean square error of the factors and of no factor (all 1).
func factorFit(factor, skill map[string]float64) string {
	var n, sx, sy, sxx, syy, sxy, errSq float64
	for rep, fac := range factor {
		s, ok := skill[rep]
		if !ok {
			continue
		}
		x, y := math.Log(fac), math.Log(s)
		n++
		sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
		errSq += (x - y) * (x - y)
	}
	vx, vy, cov := sxx/n-sx*sx/n/n, syy/n-sy*sy/n/n, sxy/n-sx*sy/n/n
	return fmt.Sprintf("reps %.0f, sd of log factor %.3f, of log skill %.3f, correlation %.2f, slope %.2f, rmse %.3f (no factor %.3f)",
		n, math.Sqrt(vx), math.Sqrt(vy), cov/math.Sqrt(vx*vy), cov/vx, math.Sqrt(errSq/n), math.Sqrt(syy/n))
}
