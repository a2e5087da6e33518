package forecast

import (
	"context"
	"fmt"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// AmountEstimates is what a forecast of a grain's period at one moment values an open deal of
// unknown amount at (an inferred version, or an open deal stored with amount 0): its rep's mean won
// amount over the previous period and the current one so far, shrunk toward the firm's.
type AmountEstimates struct {
	// ByRep is the estimate of each rep with a deal won or open in the window.
	ByRep map[string]float64
	// Firm is the estimate of a rep not in ByRep: the firm's mean won amount; 0 when nobody won.
	Firm float64
}

// Of returns a rep's estimated amount of an open deal of unknown amount.
func (a AmountEstimates) Of(repID string) float64 {
	if v, ok := a.ByRep[repID]; ok {
		return v
	}
	return a.Firm
}

// EstimateAmounts returns the values a forecast of a period of the grain at at gives open deals of
// unknown amount (see dealWalk.state), from the deals won and known by at only.
func EstimateAmounts(ctx context.Context, st Store, firm string, grain salesrecipe.Grain, at time.Time) (AmountEstimates, error) {
	from := amountWindow(grain, at)
	fd, err := st.PeriodDeals(ctx, firm, from, at.AddDate(0, 0, 1), at)
	if err != nil {
		return AmountEstimates{}, fmt.Errorf("deals won since %s: %w", from.Format(time.DateOnly), err)
	}
	w := newBook(fd).wonMeans(from, at)
	out := AmountEstimates{ByRep: make(map[string]float64, len(fd.Reps)), Firm: w.estimate(-1)}
	for i, rep := range fd.Reps {
		out.ByRep[rep] = w.estimate(int32(i))
	}
	return out, nil
}
