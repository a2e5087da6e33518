package queries

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
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
	rows, err := s.conn.Query(ctx, s.sql("status"), clickhouse.Named("firm", firm))
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	var out []KindStatus
	for rows.Next() {
		var ks KindStatus
		var kind string
		if err := rows.Scan(&kind, &ks.Rows, &ks.First, &ks.Last); err != nil {
			return nil, fmt.Errorf("status: %w", err)
		}
		ks.Kind = Kind(kind)
		out = append(out, ks)
	}
	slices.SortFunc(out, func(a, b KindStatus) int { return slices.Index(Kinds(), a.Kind) - slices.Index(Kinds(), b.Kind) })
	return out, rows.Err()
}
