package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ActivityCount is the number of activities of one kind a rep did in one period.
type ActivityCount struct {
	// RepID is the rep.
	RepID string
	// Period is the first day of the period.
	Period time.Time
	// Kind is the activity kind.
	Kind string
	// N is the exact count.
	N uint64
}

// MonthlyActivityCounts returns activities per rep x month x kind for days in [from, to).
func (s *Store) MonthlyActivityCounts(ctx context.Context, firm string, from, to time.Time) ([]ActivityCount, error) {
	rows, err := s.conn.Query(ctx, s.sql("activity_counts_monthly"),
		clickhouse.Named("firm", firm),
		clickhouse.Named("from", from.Format(time.DateOnly)),
		clickhouse.Named("to", to.Format(time.DateOnly)))
	if err != nil {
		return nil, fmt.Errorf("monthly activity counts: %w", err)
	}
	defer rows.Close()
	var out []ActivityCount
	for rows.Next() {
		var c ActivityCount
		if err := rows.Scan(&c.RepID, &c.Period, &c.Kind, &c.N); err != nil {
			return nil, fmt.Errorf("monthly activity counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
