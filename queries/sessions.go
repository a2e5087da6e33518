package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// RevokeSession records that the dashboard session with this id ended before expires.
func (s *Store) RevokeSession(ctx context.Context, id string, expires time.Time) error {
	err := s.conn.Exec(ctx, s.sql("session_revoke"), clickhouse.Named("id", id),
		clickhouse.Named("expires", timeParam(expires)), clickhouse.Named("revoked_at", timeParam(s.now())))
	if err != nil {
		return fmt.Errorf("record the end of a session: %w", err)
	}
	return nil
}

// RevokedSessions returns the ended sessions that would not have expired by now, with their expiry.
func (s *Store) RevokedSessions(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.scanAll(ctx, "sessions_revoked", func(rows driver.Rows) error {
		var id string
		var exp time.Time
		err := rows.Scan(&id, &exp)
		out[id] = exp
		return err
	}, clickhouse.Named("now", timeParam(now)))
	return out, err
}
