package queries

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// FirmData reads what is known of a firm at asOf in three queries (seeing every load whole): every deal's versions, the
// activities per rep x kind x whole day before asOf's day, and those of the own days of asOf and of
// moments (later moments are ignored); the result equals salesrecipe.NewFirmData on the same rows.
func (s *Store) FirmData(ctx context.Context, firm string, asOf time.Time, moments []time.Time) (*salesrecipe.FirmData, error) {
	var out *salesrecipe.FirmData
	err := s.read(ctx, firm, func(ctx context.Context) error {
		b := salesrecipe.NewFirmDataBuilder(asOf, moments)
		if err := s.firmDeals(ctx, b, firm, asOf); err != nil {
			return err
		}
		if err := s.firmDays(ctx, b, firm, asOf); err != nil {
			return err
		}
		if err := s.firmMoments(ctx, b, firm); err != nil {
			return err
		}
		out = b.Build()
		return nil
	})
	return out, err
}

// dealReads sets how FirmData cuts the deals into ranges read one at a time: about per deals a
// range, cut at deal ids sampled one in sample; the zero value means 60,000 and 1,000 (a few
// hundred thousand versions a read, so that no result holds every version at once).
type dealReads struct{ per, sample int }

// orDefault returns the settings with zeros replaced by the defaults.
func (d dealReads) orDefault() dealReads {
	return dealReads{per: cmp.Or(d.per, 60_000), sample: cmp.Or(d.sample, 1_000)}
}

// firmDeals adds every deal's versions known at asOf, reading ranges of deal ids in order.
func (s *Store) firmDeals(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string, asOf time.Time) error {
	rd := s.dealReads.orDefault()
	var (
		sample   []string
		versions uint64
	)
	err := s.scanAll(ctx, "firm_deal_sample", func(r driver.Rows) error {
		var id string
		var n uint64
		err := r.Scan(&id, &n)
		sample, versions = append(sample, id), versions+n
		return err
	}, clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)), clickhouse.Named("every", fmt.Sprint(rd.sample)))
	if err != nil {
		return err
	}
	b.Reserve(int(versions) * rd.sample * 11 / 10)
	cuts := []string{""}
	step := max(1, rd.per/rd.sample)
	for i := step; i < len(sample); i += step {
		cuts = append(cuts, sample[i])
	}
	last := ""
	for i, lo := range cuts {
		hi := ""
		if i+1 < len(cuts) {
			hi = cuts[i+1]
		}
		if err := s.firmDealRange(ctx, b, firm, asOf, lo, hi, &last); err != nil {
			return err
		}
	}
	return nil
}

// firmDealRange adds the versions of the deals with ids in [lo, hi) (hi "" for no bound); last is
// the id of the deal the previous version belonged to.
func (s *Store) firmDealRange(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string, asOf time.Time, lo, hi string, last *string) error {
	return s.scanVersions(ctx, b, "firm_deal_versions", last, clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)),
		clickhouse.Named("lo", lo), clickhouse.Named("hi", hi))
}

// scanVersions adds the deal versions a query returns (in the columns and order of
// firm_deal_versions.sql); last is the id of the deal the previous version belonged to.
func (s *Store) scanVersions(ctx context.Context, b *salesrecipe.FirmDataBuilder, name string, last *string, args ...any) error {
	var (
		id, rep, stage, source string
		v                      salesrecipe.DealVersion
		status                 uint8
	)
	return s.scanAll(ctx, name, func(r driver.Rows) error {
		if err := r.Scan(&id, &v.Updated, &rep, &stage, &status, &v.Amount, &v.Created, &v.CloseDate, &v.Closed, &v.Inferred, &source); err != nil {
			return err
		}
		if id != *last || b.Empty() {
			b.StartDeal(source)
			*last = id
		}
		b.NoteSource(source)
		v.Status = salesrecipe.VersionStatus(status)
		b.AddVersion(v, rep, stage)
		return nil
	}, args...)
}

// PeriodDeals reads the deals whose state at asOf is open, or won with closed_at in [from, to),
// with every version of each known at asOf: a FirmData without activities, in one query.
func (s *Store) PeriodDeals(ctx context.Context, firm string, from, to, asOf time.Time) (*salesrecipe.FirmData, error) {
	var out *salesrecipe.FirmData
	err := s.read(ctx, firm, func(ctx context.Context) error {
		b := salesrecipe.NewFirmDataBuilder(asOf, nil)
		last := ""
		err := s.scanVersions(ctx, b, "period_deal_versions", &last, clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)),
			clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)))
		if err != nil {
			return err
		}
		out = b.Build()
		return nil
	})
	return out, err
}

// firmDays adds the activities per rep x kind x whole day before asOf's day.
func (s *Store) firmDays(ctx context.Context, b *salesrecipe.FirmDataBuilder, firm string, asOf time.Time) error {
	return s.scanAll(ctx, "firm_activity_days", func(r driver.Rows) error {
		var (
			rep, kind string
			packed    []uint64
		)
		if err := r.Scan(&rep, &kind, &packed); err != nil {
			return err
		}
		days, counts := make([]int32, len(packed)), make([]uint32, len(packed))
		for i, v := range packed {
			days[i], counts[i] = int32(int64(v>>32)-1<<31), uint32(v)
		}
		b.AddDays(rep, kind, days, counts)
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
