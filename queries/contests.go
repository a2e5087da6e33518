package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// SaveContest stores a new version of a contest; the caller has validated it and set SavedAt and SavedBy.
func (s *Store) SaveContest(ctx context.Context, c salesrecipe.Contest) error {
	repsSee := "0"
	if c.RepsSee {
		repsSee = "1"
	}
	err := s.conn.Exec(ctx, s.sql("contest_insert"),
		clickhouse.Named("firm", c.Firm), clickhouse.Named("id", c.ID),
		clickhouse.Named("saved_at", timeParam(c.SavedAt)), clickhouse.Named("saved_by", c.SavedBy),
		clickhouse.Named("name", c.Name), clickhouse.Named("period", c.Period),
		clickhouse.Named("from", dateParam(c.From)), clickhouse.Named("to", dateParam(c.To)),
		clickhouse.Named("metric", string(c.Metric)), clickhouse.Named("teams", arrayParam(c.Teams)),
		clickhouse.Named("reps_see", repsSee))
	if err != nil {
		return fmt.Errorf("save contest %s of %s: %w", c.ID, c.Firm, err)
	}
	return nil
}

// ContestVersions returns every stored version of a firm's contests, or of one contest when
// id is not empty: grouped by contest id, oldest first; the last of each contest counts.
func (s *Store) ContestVersions(ctx context.Context, firm, id string) ([]salesrecipe.Contest, error) {
	var out []salesrecipe.Contest
	err := s.scanAll(ctx, "contest_versions", func(r driver.Rows) error {
		c := salesrecipe.Contest{Firm: firm}
		var metric string
		var repsSee uint8
		err := r.Scan(&c.ID, &c.SavedAt, &c.SavedBy, &c.Name, &c.Period, &c.From, &c.To, &metric, &c.Teams, &repsSee)
		c.Metric, c.RepsSee = salesrecipe.ContestMetric(metric), repsSee == 1
		c.SavedAt, c.From, c.To = c.SavedAt.UTC(), c.From.UTC(), c.To.UTC()
		out = append(out, c)
		return err
	}, clickhouse.Named("firm", firm), clickhouse.Named("id", id))
	return out, err
}

// PipelineCreated is the amount of the deals one rep created in a span of days.
type PipelineCreated struct {
	RepID  string
	Amount float64
	Deals  uint64
}

// NewPipeline returns, per rep, the deals created in [from, to) as known at asOf: each deal
// counted at its owner and amount at asOf, whatever its status.
func (s *Store) NewPipeline(ctx context.Context, firm string, from, to, asOf time.Time) ([]PipelineCreated, error) {
	return firmRows(ctx, s, firm, "contest_new_pipeline", func(r driver.Rows) (p PipelineCreated, err error) {
		err = r.Scan(&p.RepID, &p.Amount, &p.Deals)
		return p, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", timeParam(asOf)))
}
