package queries

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe"
)

// StageTotal is one rep's open pipeline in one stage.
type StageTotal struct {
	// RepID owns the deals.
	RepID string
	// Stage is the deals' stage.
	Stage string
	// Deals and Amount count every open deal.
	Deals uint64
	// Amount sums the open deals' amounts.
	Amount float64
	// DealsInPeriod and AmountInPeriod count the open deals expected to close in the period.
	DealsInPeriod uint64
	// AmountInPeriod sums the amounts of DealsInPeriod.
	AmountInPeriod float64
	// UnknownAmount counts the open deals whose amount is unknown (stored as 0), UnknownInPeriod those of DealsInPeriod.
	UnknownAmount, UnknownInPeriod uint64
}

// StageTotals returns open deals per rep x stage at asOf, all of them and
// those whose close date falls in [from, to).
func (s *Store) StageTotals(ctx context.Context, firm string, from, to, asOf time.Time) ([]StageTotal, error) {
	return firmRows(ctx, s, firm, "pipeline_stages", func(r driver.Rows) (v StageTotal, err error) {
		err = r.Scan(&v.RepID, &v.Stage, &v.Deals, &v.Amount, &v.DealsInPeriod, &v.AmountInPeriod, &v.UnknownAmount, &v.UnknownInPeriod)
		return v, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", timeParam(asOf)))
}

// StageConversion is, for one rep and stage, what became of the deals that were ever in it.
type StageConversion struct {
	// RepID owns the deals at the as-of time.
	RepID string
	// Stage is a stage the deals passed through.
	Stage string
	// Deals were ever in the stage.
	Deals uint64
	// Won of them are won at the as-of time.
	Won uint64
	// Lost of them are lost at the as-of time.
	Lost uint64
	// WonAmount sums the won deals' amounts.
	WonAmount float64
}

// StageConversions returns, per rep x stage, the deals created in [from, asOf]
// that were ever in the stage by asOf and how many are won or lost at asOf.
func (s *Store) StageConversions(ctx context.Context, firm string, from, asOf time.Time) ([]StageConversion, error) {
	return firmRows(ctx, s, firm, "stage_conversion", func(r driver.Rows) (v StageConversion, err error) {
		err = r.Scan(&v.RepID, &v.Stage, &v.Deals, &v.Won, &v.Lost, &v.WonAmount)
		return v, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("as_of", timeParam(asOf)))
}

// DealState is what a deal looked like at one moment.
type DealState struct {
	// Status is open, won or lost.
	Status salesrecipe.DealStatus
	// Amount is the deal's amount.
	Amount float64
	// CloseDate is the expected close date; zero when unknown.
	CloseDate time.Time
	// ClosedAt is when a won or lost deal closed; zero while open.
	ClosedAt time.Time
}

// DealChange is one deal that touched a period's pipeline between two moments.
type DealChange struct {
	// DealID is the deal.
	DealID string
	// RepID owns the deal at the end.
	RepID string
	// AccountID is the deal's account at the end.
	AccountID string
	// Existed reports whether the deal existed at the start.
	Existed bool
	// Start is the deal's state at the start; zero when it did not exist.
	Start DealState
	// End is the deal's state at the end.
	End DealState
}

// PipelineChanges returns every deal that, between start and end, was in the
// pipeline of the period [from, to) (open with a close date in it) at either
// moment or closed, won or lost, in [start, end], with its state at both.
func (s *Store) PipelineChanges(ctx context.Context, firm string, from, to, start, end time.Time) ([]DealChange, error) {
	return firmRows(ctx, s, firm, "pipeline_changes", func(r driver.Rows) (v DealChange, err error) {
		var sStatus, eStatus string
		var closed *time.Time
		err = r.Scan(&v.DealID, &v.RepID, &v.AccountID, &v.Existed,
			&sStatus, &v.Start.Amount, &v.Start.CloseDate,
			&eStatus, &v.End.Amount, &v.End.CloseDate, &closed)
		v.End.Status = salesrecipe.DealStatus(eStatus)
		v.Start.CloseDate, v.End.CloseDate = knownOr(v.Start.CloseDate), knownOr(v.End.CloseDate)
		if v.Existed {
			v.Start.Status = salesrecipe.DealStatus(sStatus)
		} else {
			v.Start = DealState{}
		}
		if closed != nil {
			v.End.ClosedAt = *closed
		}
		return v, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("start", timeParam(start)), clickhouse.Named("end", timeParam(end)))
}

// RepDealsAsOf returns the state at asOf of every deal the rep owns at asOf.
func (s *Store) RepDealsAsOf(ctx context.Context, firm, rep string, asOf time.Time) ([]salesrecipe.Deal, error) {
	return s.deals(ctx, firm, "rep_deals_as_of", clickhouse.Named("firm", firm), clickhouse.Named("rep", rep), clickhouse.Named("as_of", timeParam(asOf)))
}

// RepActivityCounts returns one rep's activities per period x kind for
// [from, to), counting only activities that occurred at or before asOf.
func (s *Store) RepActivityCounts(ctx context.Context, firm, rep string, grain salesrecipe.Grain, from, to, asOf time.Time) ([]ActivityCount, error) {
	return firmRows(ctx, s, firm, "rep_activity_counts", func(r driver.Rows) (ActivityCount, error) {
		c := ActivityCount{RepID: rep}
		err := r.Scan(&c.Period, &c.Kind, &c.N)
		return c, err
	}, clickhouse.Named("firm", firm), clickhouse.Named("rep", rep), clickhouse.Named("grain", string(grain)),
		clickhouse.Named("from", dateParam(from)), clickhouse.Named("to", dateParam(to)),
		clickhouse.Named("as_of", timeParam(asOf)))
}
