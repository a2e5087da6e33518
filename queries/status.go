package queries

import (
	"context"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// KindStatus is what the store holds of one kind for a firm.
type KindStatus struct {
	// Kind is reps, quotas, stages, activities or deals.
	Kind Kind `json:"-"`
	// Rows is the exact number of stored rows, duplicates not counted.
	Rows uint64 `json:"rows"`
	// First and Last bound the times the rows cover (nil when there are none).
	First *time.Time `json:"first"`
	// Last is the latest time covered.
	Last *time.Time `json:"last"`
}

// Status returns, per kind, the stored row count and time range for a firm.
func (s *Store) Status(ctx context.Context, firm string) ([]KindStatus, error) {
	out, err := firmRows(ctx, s, firm, "status", func(r driver.Rows) (ks KindStatus, err error) {
		var kind string
		err = r.Scan(&kind, &ks.Rows, &ks.First, &ks.Last)
		ks.Kind = Kind(kind)
		return ks, err
	}, clickhouse.Named("firm", firm))
	if err != nil {
		return nil, err
	}
	order := Kinds()
	slices.SortFunc(out, func(a, b KindStatus) int { return slices.Index(order, a.Kind) - slices.Index(order, b.Kind) })
	return out, nil
}
