package queries

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// SavePlan stores a new version of a firm's rep's business plan after checking it; versions are never changed.
func (s *Store) SavePlan(ctx context.Context, firm string, p salesrecipe.Plan) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if p.SavedAt.IsZero() || p.SavedBy == "" {
		return fmt.Errorf("save plan of %s: saved_at and saved_by are required", p.RepID)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save plan of %s: %w", p.RepID, err)
	}
	err = s.conn.Exec(ctx, s.sql("plan_insert"), clickhouse.Named("firm", firm), clickhouse.Named("rep", p.RepID),
		clickhouse.Named("from", dateParam(p.From)), clickhouse.Named("months", strconv.Itoa(p.Months)),
		clickhouse.Named("multiple", strconv.FormatFloat(p.Multiple, 'g', -1, 64)),
		clickhouse.Named("saved_at", timeParam(p.SavedAt)), clickhouse.Named("saved_by", p.SavedBy),
		clickhouse.Named("plan", string(body)))
	if err != nil {
		return fmt.Errorf("save plan of %s: %w", p.RepID, err)
	}
	return nil
}

// PlanVersions returns every version of the rep's plan starting in the month of from that was
// saved at or before asOf, newest first (the first counts).
func (s *Store) PlanVersions(ctx context.Context, firm, rep string, from, asOf time.Time) ([]salesrecipe.Plan, error) {
	var out []salesrecipe.Plan
	err := s.scanAll(ctx, "plan_versions", func(rows driver.Rows) error {
		p, err := scanPlan(rows, rep)
		out = append(out, p)
		return err
	}, clickhouse.Named("firm", firm), clickhouse.Named("rep", rep), clickhouse.Named("from", dateParam(from)),
		clickhouse.Named("as_of", timeParam(asOf)))
	return out, err
}

// PlanCovering returns the latest version, saved at or before asOf, of the rep's plan covering the
// month of t; ok is false when no plan covers it.
func (s *Store) PlanCovering(ctx context.Context, firm, rep string, t, asOf time.Time) (p salesrecipe.Plan, ok bool, err error) {
	month := salesrecipe.NewPeriod(salesrecipe.GrainMonth, t).Start
	err = s.scanAll(ctx, "plan_covering", func(rows driver.Rows) error {
		ok = true
		p, err = scanPlan(rows, rep)
		return err
	}, clickhouse.Named("firm", firm), clickhouse.Named("rep", rep), clickhouse.Named("month", dateParam(month)),
		clickhouse.Named("as_of", timeParam(asOf)))
	return p, ok, err
}

// scanPlan reads one plans row: the stored JSON, then the columns, which win over it.
func scanPlan(rows driver.Rows, rep string) (salesrecipe.Plan, error) {
	var p salesrecipe.Plan
	var months uint8
	var body string
	var from, saved time.Time
	var multiple float64
	var by string
	if err := rows.Scan(&from, &months, &multiple, &saved, &by, &body); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return p, fmt.Errorf("plan of %s from %s: %w", rep, from.Format("2006-01"), err)
	}
	p.RepID, p.From, p.Months, p.Multiple, p.SavedAt, p.SavedBy = rep, from.UTC(), int(months), multiple, saved.UTC(), by
	return p, nil
}
