package forecast

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestWinFitSameOnAnyNumberOfWorkers(t *testing.T) {
	// Rows of three stages and of unknown stage: the fit spread over workers must be the same,
	// bit for bit, as on one.
	rng := rand.New(rand.NewPCG(7, 8))
	const length = 30 * 86400.0
	w := &WinModel{AmountRef: 1000}
	rows := make([]winRow, 3001)
	for i := range rows {
		stage := rng.IntN(4) - 1
		end := int64(100 * length)
		m := end - int64((0.05+0.9*rng.Float64())*length)
		close := m + int64((rng.Float64()*1.5-0.2)*length)
		d := dealAt{stage: stage, amount: 500 + 1000*rng.Float64(), closeDate: close, created: m - int64(length), stageSince: m - int64(length/3)}
		rows[i] = winRow{stage: int32(stage), weight: float32(0.5 + rng.Float64()), won: close < end && rng.Float64() < 0.2*float64(stage+2)}
		var x [winInputs]float64
		w.inputs(x[:], d, m, end, length)
		for j, v := range x {
			rows[i].x[j] = float32(v)
		}
	}
	stages := []string{"a", "b", "c"}
	one := fitWinModelOn(stages, rows, 1000, nil, 1)
	for _, workers := range []int{2, 3, 5} {
		if got := fitWinModelOn(stages, rows, 1000, nil, workers); !reflect.DeepEqual(got.Coef, one.Coef) {
			t.Errorf("%d workers: coefficients %v, one worker %v", workers, got.Coef, one.Coef)
		}
	}
}

func TestLearnCombinerSameOnAnyNumberOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	kinds := []string{"call", "demo"}
	rows := make([][]sample, len(trainingGrid))
	for g := range trainingGrid {
		for period := range 4 {
			for r := range 12 {
				f := &repFeatures{Tau: trainingGrid[g], Closed: 1000 * rng.Float64() * trainingGrid[g], RPrior: 500 * rng.Float64(),
					RRest: 800 * rng.Float64(), Present: true, Rest: map[string]float64{"call": 20 * rng.Float64(), "demo": 3 * rng.Float64()}}
				for range rng.IntN(5) {
					f.Deals = append(f.Deals, chance{p: rng.Float64(), amount: 2000 * rng.Float64()})
				}
				rows[g] = append(rows[g], sample{period: period, team: fmt.Sprint(r % 3), rep: fmt.Sprint(r), f: f,
					pipe: 1500 * rng.Float64(), fresh: float64(rng.IntN(3)), actual: 3000 * rng.Float64()})
			}
		}
	}
	amounts := []float64{500, 1000, 1500, 4000}
	one, err := learnCombiner(rows, 4, kinds, amounts, 0.8, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !one.Learned {
		t.Fatal("the combination was not learned from 48 rows over 4 periods at each grid point")
	}
	for _, workers := range []int{2, 4} {
		got, err := learnCombiner(rows, 4, kinds, amounts, 0.8, workers)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, one) {
			t.Errorf("%d workers: %+v, one worker %+v", workers, got, one)
		}
	}
}
