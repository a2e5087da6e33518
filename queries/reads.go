package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// timeParam formats a time for a DateTime64(3) parameter.
func timeParam(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

// dateParam formats a time for a Date32 parameter.
func dateParam(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// scanAll runs a query and calls scan for each row.
func (s *Store) scanAll(ctx context.Context, name string, scan func(driver.Rows) error, args ...any) error {
	rows, err := s.conn.Query(ctx, s.sql(name), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Reps returns the latest state of every rep of a firm.
func (s *Store) Reps(ctx context.Context, firm string) ([]salesrecipe.Rep, error) {
	return firmRows(ctx, s, firm, "reps_current", func(r driver.Rows) (rep salesrecipe.Rep, err error) {
		err = r.Scan(&rep.ID, &rep.Name, &rep.Email, &rep.Team, &rep.ManagerID)
		return rep, err
	}, clickhouse.Named("firm", firm))
}

// Quotas returns the quotas of a firm whose period starts in [from, to).
func (s *Store) Quotas(ctx context.Context, firm string, from, to time.Time) ([]salesrecipe.Quota, error) {
	return firmRows(ctx, s, firm, "quotas_between", func(r driver.Rows) (q salesrecipe.Quota, err error) {
		var period string
		err = r.Scan(&q.RepID, &period, &q.PeriodStart, &q.Amount)
		q.Period = salesrecipe.Grain(period)
		return q, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)))
}

// Stages returns a firm's stages in pipeline order (none when no stages file was loaded).
func (s *Store) Stages(ctx context.Context, firm string) ([]salesrecipe.Stage, error) {
	return firmRows(ctx, s, firm, "stages_current", func(r driver.Rows) (st salesrecipe.Stage, err error) {
		var pos uint16
		var cat string
		err = r.Scan(&st.Name, &pos, &st.Probability, &cat)
		st.Position, st.Category = int(pos), salesrecipe.ForecastCategory(cat)
		return st, err
	}, clickhouse.Named("firm", firm))
}

// ActivityCounts returns activities per rep x period x kind for [from, to),
// counting only activities that occurred at or before asOf.
func (s *Store) ActivityCounts(ctx context.Context, firm string, grain salesrecipe.Grain, from, to, asOf time.Time) ([]ActivityCount, error) {
	return firmRows(ctx, s, firm, "activity_counts", func(r driver.Rows) (c ActivityCount, err error) {
		err = r.Scan(&c.RepID, &c.Period, &c.Kind, &c.N)
		return c, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("grain", string(grain)),
		clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", timeParam(asOf)))
}

// Revenue is the won revenue of one rep in one period.
type Revenue struct {
	// RepID is the rep.
	RepID string
	// Period is the first day of the period of the close.
	Period time.Time
	// Amount is the sum of won amounts.
	Amount float64
	// Deals is the number of won deals.
	Deals uint64
}

// WonRevenue returns, per rep and period of closed_at in [from, to), the
// amount of deals whose state at asOf is won.
func (s *Store) WonRevenue(ctx context.Context, firm string, grain salesrecipe.Grain, from, to, asOf time.Time) ([]Revenue, error) {
	return firmRows(ctx, s, firm, "won_revenue", func(r driver.Rows) (v Revenue, err error) {
		err = r.Scan(&v.RepID, &v.Period, &v.Amount, &v.Deals)
		return v, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("grain", string(grain)),
		clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", timeParam(asOf)))
}

// DealVersions returns every deal version known at asOf, ordered by deal and time.
func (s *Store) DealVersions(ctx context.Context, firm string, asOf time.Time) ([]salesrecipe.Deal, error) {
	return s.deals(ctx, firm, "deal_versions_as_of", clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)))
}

// DealsAsOf returns each deal's state at asOf: its latest version with updated_at <= asOf.
func (s *Store) DealsAsOf(ctx context.Context, firm string, asOf time.Time) ([]salesrecipe.Deal, error) {
	return s.deals(ctx, firm, "deals_as_of", clickhouse.Named("firm", firm), clickhouse.Named("as_of", timeParam(asOf)))
}

// deals runs a read of a firm whose rows are deal versions.
func (s *Store) deals(ctx context.Context, firm, name string, args ...any) ([]salesrecipe.Deal, error) {
	return firmRows(ctx, s, firm, name, func(r driver.Rows) (d salesrecipe.Deal, err error) {
		var status string
		var closed *time.Time
		err = r.Scan(&d.ID, &d.UpdatedAt, &d.RepID, &d.AccountID, &d.Stage, &status, &d.Amount,
			&d.CreatedAt, &d.CloseDate, &closed, &d.Inferred, &d.Source)
		d.Status = salesrecipe.DealStatus(status)
		d.CloseDate = knownOr(d.CloseDate)
		if closed != nil {
			d.ClosedAt = *closed
		}
		return d, err
	}, args...)
}
