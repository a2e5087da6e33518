package forecast

import (
	"context"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/queries"
)

// Store is every read and write of a forecast, a fit and a backtest: *queries.Store is the ClickHouse
// one; querytest.Memory answers the same from rows in memory for tests (queries' contract test
// checks that the two agree).
type Store interface {
	FirmData(ctx context.Context, firm string, asOf time.Time, moments []time.Time) (*salesrecipe.FirmData, error)
	PeriodDeals(ctx context.Context, firm string, from, to, asOf time.Time) (*salesrecipe.FirmData, error)
	ActivityCounts(ctx context.Context, firm string, grain salesrecipe.Grain, from, to, asOf time.Time) ([]queries.ActivityCount, error)
	Reps(ctx context.Context, firm string) ([]salesrecipe.Rep, error)
	Stages(ctx context.Context, firm string) ([]salesrecipe.Stage, error)
	Quotas(ctx context.Context, firm string, from, to time.Time) ([]salesrecipe.Quota, error)
	LatestRecipe(ctx context.Context, firm, grain string, asOf time.Time) (queries.StoredRecipe, bool, error)
	SaveRecipe(ctx context.Context, r queries.StoredRecipe) error
	SaveSnapshots(ctx context.Context, firm string, rows []queries.Snapshot) error
}

var _ Store = (*queries.Store)(nil)
