package model_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/model"
	"gonum.org/v1/gonum/mat"
)

// oracleRow is one rep-period of an oracle fit: each kind's activity weighted by its true delay profile.
type oracleRow struct {
	x []float64
	y float64
}

// oracleRows returns each rep's rows (periods from the deepest true lag on, active only) with x(k) = sum over lags l
// of share(k,l) * count(t-l, k): the regressors of a fit told the true delay profiles.
func oracleRows(tr synth.Truth, p *model.Panel) [][]oracleRow {
	deepest := 0
	for _, kt := range tr.Kinds {
		for _, l := range kt.Lags {
			deepest = max(deepest, l.Lag)
		}
	}
	out := make([][]oracleRow, len(p.Reps))
	for r := range p.Reps {
		for t := deepest; t < p.Periods; t++ {
			if !p.Active[r][t] {
				continue
			}
			x := make([]float64, len(tr.Kinds))
			for k, kt := range tr.Kinds {
				for _, l := range kt.Lags {
					x[k] += l.Share * p.Counts[r][t-l.Lag][k]
				}
			}
			out[r] = append(out[r], oracleRow{x: x, y: p.Revenue[r][t]})
		}
	}
	return out
}

// demean returns a rep's rows minus their means (the within transformation).
func demean(rows []oracleRow) []oracleRow {
	n := float64(len(rows))
	mx, my := make([]float64, len(rows[0].x)), 0.0
	for _, row := range rows {
		for k, v := range row.x {
			mx[k] += v / n
		}
		my += row.y / n
	}
	out := make([]oracleRow, len(rows))
	for i, row := range rows {
		x := make([]float64, len(row.x))
		for k, v := range row.x {
			x[k] = v - mx[k]
		}
		out[i] = oracleRow{x: x, y: row.y - my}
	}
	return out
}

// oracleFit is a within-rep weighted least squares fit with rep-clustered (sandwich) standard errors.
func oracleFit(reps [][]oracleRow, weight []float64) (beta, se []float64, resid [][]float64) {
	k := 0
	for _, rows := range reps {
		if len(rows) > 0 {
			k = len(rows[0].x)
		}
	}
	xtx, xty := mat.NewSymDense(k, nil), mat.NewVecDense(k, nil)
	for r, rows := range reps {
		for _, row := range rows {
			for i := range k {
				xty.SetVec(i, xty.AtVec(i)+weight[r]*row.x[i]*row.y)
				for j := i; j < k; j++ {
					xtx.SetSym(i, j, xtx.At(i, j)+weight[r]*row.x[i]*row.x[j])
				}
			}
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(xtx); err != nil {
		return make([]float64, k), make([]float64, k), nil
	}
	var b mat.VecDense
	b.MulVec(&inv, xty)
	beta = b.RawVector().Data
	meat := mat.NewDense(k, k, nil)
	resid = make([][]float64, len(reps))
	for r, rows := range reps {
		s := make([]float64, k)
		for _, row := range rows {
			e := row.y
			for i := range k {
				e -= beta[i] * row.x[i]
			}
			resid[r] = append(resid[r], e)
			for i := range k {
				s[i] += weight[r] * row.x[i] * e
			}
		}
		for i := range k {
			for j := range k {
				meat.Set(i, j, meat.At(i, j)+s[i]*s[j])
			}
		}
	}
	var cov mat.Dense
	cov.Mul(&inv, meat)
	cov.Mul(&cov, &inv)
	se = make([]float64, k)
	for i := range k {
		se[i] = math.Sqrt(cov.At(i, i))
	}
	return beta, se, resid
}

// TestOracleStandardErrors measures how precisely the default synth firm's data can pin each kind's value at all: a
// within-rep fit told every kind's true delay profile (so nothing is chosen), by ordinary least squares and by
// weighted least squares with each rep weighted by the inverse of its expected revenue at the pooled values, as
// model.Fit weights (revenue noise grows with a rep's volume), with rep-clustered standard errors. A standard error of s% of the truth means a fit that must also
// choose the delays cannot be within 15% of the truth in every seed once s is above about 6%.
// SALESRECIPE_ORACLE_REPS sets the size, SALESRECIPE_ORACLE_SEEDS the seeds (default 1-12).
func TestOracleStandardErrors(t *testing.T) {
	reps, _ := strconv.Atoi(os.Getenv("SALESRECIPE_ORACLE_REPS"))
	if reps == 0 {
		t.Skip("set SALESRECIPE_ORACLE_REPS (e.g. 100 or 1000) to measure the oracle fit's standard errors")
	}
	seeds, _ := strconv.Atoi(os.Getenv("SALESRECIPE_ORACLE_SEEDS"))
	seeds = max(seeds, 12)
	sum := map[string][2]float64{}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		cfg := synth.DefaultConfig()
		cfg.Reps, cfg.Seed, cfg.End = reps, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		tr, p := synthPanel(t, cfg)
		var raw, within [][]oracleRow
		for _, rows := range oracleRows(tr, p) {
			if len(rows) > 1 {
				raw, within = append(raw, rows), append(within, demean(rows))
			}
		}
		ones := make([]float64, len(within))
		for i := range ones {
			ones[i] = 1
		}
		bo, so, _ := oracleFit(within, ones)
		bw, sw, _ := oracleFit(within, volumeWeights(raw, bo))
		var line []string
		for k, kt := range tr.Kinds {
			v := kt.ValuePerActivity
			if v == 0 {
				line = append(line, fmt.Sprintf("%s ols %.1f±%.1f wls %.1f±%.1f", kt.Kind, bo[k], so[k], bw[k], sw[k]))
				continue
			}
			line = append(line, fmt.Sprintf("%s %.0f: ols %+.0f%%±%.0f%% wls %+.0f%%±%.0f%%", kt.Kind, v,
				100*(bo[k]/v-1), 100*so[k]/v, 100*(bw[k]/v-1), 100*sw[k]/v))
			s := sum[kt.Kind]
			sum[kt.Kind] = [2]float64{s[0] + so[k]*so[k]/(v*v), s[1] + sw[k]*sw[k]/(v*v)}
		}
		t.Logf("seed %d: %s", seed, strings.Join(line, "; "))
	}
	for kind, s := range sum {
		t.Logf("%s: root mean square standard error over %d seeds: OLS %.1f%%, WLS %.1f%% of the truth",
			kind, seeds, 100*math.Sqrt(s[0]/float64(seeds)), 100*math.Sqrt(s[1]/float64(seeds)))
	}
}

// volumeWeights returns each rep's inverse expected revenue at the pooled values beta (the firm's mean revenue
// left over by beta plus the rep's mean activity at beta, floored at a tenth of the reps' mean), as model.Fit weights.
func volumeWeights(raw [][]oracleRow, beta []float64) []float64 {
	var ys, n float64
	acts := make([]float64, len(raw))
	for r, rows := range raw {
		for _, row := range rows {
			a := 0.0
			for k, x := range row.x {
				a += max(beta[k], 0) * x
			}
			acts[r] += a / float64(len(rows))
			ys, n = ys+row.y-a, n+1
		}
	}
	base, total := max(ys/n, 0), 0.0
	for r := range acts {
		acts[r] += base
		total += acts[r]
	}
	floor := 0.1 * total / float64(len(acts))
	w := make([]float64, len(acts))
	for r, m := range acts {
		w[r] = floor / max(m, floor)
	}
	return w
}
