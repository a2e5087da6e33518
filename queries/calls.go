package queries

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// SaveCall stores one forecast call of a firm after validating it; every submission is a new row.
func (s *Store) SaveCall(ctx context.Context, firm string, c salesrecipe.Call) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save call: %w", err)
	}
	err := s.conn.Exec(ctx, s.sql("call_insert"), clickhouse.Named("firm", firm),
		clickhouse.Named("period", c.Period.String()), clickhouse.Named("period_start", dateParam(c.Period.Start)),
		clickhouse.Named("rep_id", c.RepID), clickhouse.Named("team", c.Team),
		clickhouse.Named("commit", centsParam(c.Commit)), clickhouse.Named("best_case", centsParam(c.BestCase)),
		clickhouse.Named("note", c.Note), clickhouse.Named("submitted_by", c.SubmittedBy),
		clickhouse.Named("submitted_at", microParam(c.SubmittedAt)))
	if err != nil {
		return fmt.Errorf("save call of %s for %s: %w", firm, c.Period, err)
	}
	return nil
}

// Calls returns every call of a firm for the periods starting from from to to (inclusive),
// submitted at or before asOf, oldest first: the full history, of which the latest per rep or
// team and period counts.
func (s *Store) Calls(ctx context.Context, firm string, from, to, asOf time.Time) ([]salesrecipe.Call, error) {
	var out []salesrecipe.Call
	err := s.scanAll(ctx, "calls_between", func(rows driver.Rows) error {
		var c salesrecipe.Call
		var period string
		var start time.Time
		if err := rows.Scan(&period, &start, &c.RepID, &c.Team, &c.Commit, &c.BestCase, &c.Note, &c.SubmittedBy, &c.SubmittedAt); err != nil {
			return err
		}
		p, err := salesrecipe.ParsePeriod(period)
		if err != nil {
			return fmt.Errorf("stored call period %q: %w", period, err)
		}
		c.Period, c.SubmittedAt = p, c.SubmittedAt.UTC()
		out = append(out, c)
		return nil
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", microParam(asOf)))
	return out, err
}

// centsParam formats an amount for a Decimal(18, 2) parameter.
func centsParam(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// microParam formats a time for a DateTime64(6) parameter.
func microParam(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }
