package querytest

import (
	"context"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// MonthCounts reads a firm's activities per month of the n months from from (the first of a month,
// UTC) through the store's read path (the daily rollup), and the activity rows status counts.
func MonthCounts(ctx context.Context, st *queries.Store, firm string, from time.Time, n int) ([]uint64, uint64, error) {
	cs, err := st.ActivityCounts(ctx, firm, salesrecipe.GrainMonth, from, from.AddDate(0, n, 0), from.AddDate(1, 0, 0))
	if err != nil {
		return nil, 0, err
	}
	months := make([]uint64, n)
	for _, c := range cs {
		i := (c.Period.Year()-from.Year())*12 + int(c.Period.Month()-from.Month())
		months[i] += c.N
	}
	ks, err := st.Status(ctx, firm)
	if err != nil {
		return nil, 0, err
	}
	var rows uint64
	for _, k := range ks {
		if k.Kind == queries.KindActivities {
			rows = k.Rows
		}
	}
	return months, rows, nil
}
