package queries

import (
	"context"
	"errors"

	"github.com/salesrecipe/salesrecipe"
)

// healthFirm is the firm name the health check reads and stages under; no load ever commits it.
const healthFirm = "_health"

// Health says whether the store can be read and whether it can be written; nil means it can.
type Health struct {
	Read, Write error
}

// CheckHealth reads the firms' tables and, to prove the store can write, stages one row in
// a private staging table the way a load does and drops the table: nothing reaches the
// firms' tables, and a full disk, a read-only user or a read-only replica shows as Write.
func (s *Store) CheckHealth(ctx context.Context) Health {
	_, rerr := s.Status(ctx, healthFirm)
	return Health{Read: rerr, Write: s.checkWrite(ctx)}
}

// checkWrite stages one rep and drops the staging table again.
func (s *Store) checkWrite(ctx context.Context) error {
	l, err := s.BeginLoad(ctx, KindReps, healthFirm)
	if err != nil {
		return err
	}
	l.AddRep(salesrecipe.Rep{ID: "health", Name: "health"})
	err = l.Flush(ctx)
	return errors.Join(err, l.Abort(context.WithoutCancel(ctx)))
}
