package queries

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// FirmData reads what is known of a firm at asOf in three queries: every deal's versions, the
// activities per rep x kind x whole day before asOf's day, and those of the own days of asOf and of
// moments (later moments are ignored); the result equals salesrecipe.NewFirmData on the same rows.
func (s *Store) FirmData(ctx context.Context, firm string, asOf time.Time, moments []time.Time) (*salesrecipe.FirmData, error) {
	b := salesrecipe.NewFirmDataBuilder(asOf, moments)
	if err := s.firmDeals(ctx, b, firm, asOf); err != nil {
		return nil, err
	}
	if err := s.firmDays(ctx, b, firm, asOf); err != nil {
		return nil, err
	}
	if err := s.firmMoments(ctx, b, firm); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

// firmDeals adds every deal's versions known at asOf.
func (s *Store) firmDeals(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string, asOf time.Time) error {
	var (
		updated, created, closeDate, closed []int64
		reps, stages                        []string
		status                              []uint8
		amount                              []float64
	)
	return s.scanAll(ctx, "firm_deal_versions", func(r driver.Rows) error {
		if err := r.Scan(&updated, &reps, &stages, &status, &amount, &created, &closeDate, &closed); err != nil {
			return err
		}
		b.StartDeal()
		for i, u := range updated {
			b.AddVersion(salesrecipe.DealVersion{Updated: u, Created: created[i], CloseDate: closeDate[i], Closed: closed[i],
				Amount: amount[i], Status: salesrecipe.VersionStatus(status[i])}, reps[i], stages[i])
		}
		return nil
	}, clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)))
}

// firmDays adds the activities per rep x kind x whole day before asOf's day.
func (s *Store) firmDays(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string, asOf time.Time) error {
	var (
		rep, kind string
		days      []int32
		counts    []uint64
	)
	return s.scanAll(ctx, "firm_activity_days", func(r driver.Rows) error {
		if err := r.Scan(&rep, &kind, &days, &counts); err != nil {
			return err
		}
		for i, d := range days {
			b.AddDay(rep, kind, time.Unix(int64(d)*86400, 0).UTC(), int64(counts[i]))
		}
		return nil
	}, clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)))
}

// firmMoments adds the activities of the builder's moments' own days up to each moment.
func (s *Store) firmMoments(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string) error {
	ms := b.Moments()
	if len(ms) == 0 {
		return nil
	}
	quoted := make([]string, len(ms))
	for i, m := range ms {
		quoted[i] = "'" + timeParam(m) + "'"
	}
	var (
		m         time.Time
		rep, kind string
		n         uint64
	)
	return s.scanAll(ctx, "firm_activity_moments", func(r driver.Rows) error {
		if err := r.Scan(&m, &rep, &kind, &n); err != nil {
			return err
		}
		if err := b.AddPartial(m, rep, kind, int64(n)); err != nil {
			return fmt.Errorf("moment from the store: %w", err)
		}
		return nil
	}, clickhouse.Named("firm", firm), clickhouse.Named("moments", "["+strings.Join(quoted, ",")+"]"))
}
