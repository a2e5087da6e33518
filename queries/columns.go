package queries

import (
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/salesrecipe/salesrecipe"
)

// stagingColumns are the column definitions of each kind's staging table;
// seq is the row's position in the load, which decides between repeats, and
// pos is where the row came from (Load.At), which errors about it name.
var stagingColumns = map[Kind]string{
	KindReps:   "seq UInt64, pos UInt64, rep_id String, name String, email String, team String, manager_id String",
	KindQuotas: "seq UInt64, pos UInt64, rep_id String, period String, period_start Date32, amount Decimal(18, 2)",
	KindStages: "seq UInt64, pos UInt64, stage String, position UInt16, probability Float64, category String",
	KindActivities: "seq UInt64, pos UInt64, activity_id String, rep_id String, kind String, " +
		"occurred_at DateTime64(3, 'UTC'), account_id String, deal_id String" + firstWins,
	KindDeals: "seq UInt64, pos UInt64, deal_id String, updated_at DateTime64(3, 'UTC'), rep_id String, account_id String, " +
		"stage String, status String, amount Decimal(18, 2), created_at DateTime64(3, 'UTC'), " +
		"close_date Date32, closed_at Nullable(DateTime64(3, 'UTC')), source String" + firstWins,
}

// firstWins keeps, of rows repeated within a load, the first one (the smallest seq).
const firstWins = ", rank UInt64 MATERIALIZED 18446744073709551615 - seq"

// stagingEngines sort each kind's staging rows by its dedup key, so the
// commit reads them deduplicated with FINAL (a streaming merge, no hash table):
// activities and deal versions keep the first row of a repeated key, reps,
// quotas and stages the last (the later row corrects the earlier).
var stagingEngines = map[Kind]string{
	KindReps:       "ReplacingMergeTree(seq) ORDER BY rep_id",
	KindQuotas:     "ReplacingMergeTree(seq) ORDER BY (rep_id, period, period_start)",
	KindStages:     "ReplacingMergeTree(seq) ORDER BY stage",
	KindActivities: "ReplacingMergeTree(rank) ORDER BY (toYYYYMM(occurred_at), activity_id)",
	KindDeals:      "ReplacingMergeTree(rank) ORDER BY (deal_id, updated_at)",
}

// stagingNames are the column lists of the staging inserts, in buffer order.
var stagingNames = map[Kind]string{
	KindReps:       "seq, pos, rep_id, name, email, team, manager_id",
	KindQuotas:     "seq, pos, rep_id, period, period_start, amount",
	KindStages:     "seq, pos, stage, position, probability, category",
	KindActivities: "seq, pos, activity_id, rep_id, kind, occurred_at, account_id, deal_id",
	KindDeals:      "seq, pos, deal_id, updated_at, rep_id, account_id, stage, status, amount, created_at, close_date, closed_at, source",
}

// columns buffers rows column by column, the fastest way into a batch.
type columns struct {
	n     int
	strs  [][]string
	times [][]time.Time
	nulls [][]*time.Time
	decs  [][]decimal.Decimal
	pos   []uint64
	u16   []uint16
	f64   []float64
	// order lists, per staging column after seq, which buffer and index holds it.
	order []colRef
}

// colRef points at one buffered column.
type colRef struct {
	typ byte // 's' string, 't' time, 'n' nullable time, 'd' decimal, 'u' uint16, 'f' float64
	i   int
}

// layouts gives each kind's column buffers in staging order.
var layouts = map[Kind]string{
	KindReps:       "sssss",
	KindQuotas:     "sstd",
	KindStages:     "sufs",
	KindActivities: "ssstss",
	KindDeals:      "stssssdttns",
}

// newColumns makes empty buffers for a kind.
func newColumns(kind Kind) columns {
	var c columns
	for _, t := range layouts[kind] {
		switch t {
		case 's':
			c.order = append(c.order, colRef{'s', len(c.strs)})
			c.strs = append(c.strs, nil)
		case 't':
			c.order = append(c.order, colRef{'t', len(c.times)})
			c.times = append(c.times, nil)
		case 'n':
			c.order = append(c.order, colRef{'n', len(c.nulls)})
			c.nulls = append(c.nulls, nil)
		case 'd':
			c.order = append(c.order, colRef{'d', len(c.decs)})
			c.decs = append(c.decs, nil)
		case 'u':
			c.order = append(c.order, colRef{'u', 0})
		case 'f':
			c.order = append(c.order, colRef{'f', 0})
		}
	}
	return c
}

// rows returns how many rows are buffered.
func (c *columns) rows() int { return c.n }

// reset empties the buffers, keeping their capacity.
func (c *columns) reset() {
	c.n = 0
	for i := range c.strs {
		c.strs[i] = c.strs[i][:0]
	}
	for i := range c.times {
		c.times[i] = c.times[i][:0]
	}
	for i := range c.nulls {
		c.nulls[i] = c.nulls[i][:0]
	}
	for i := range c.decs {
		c.decs[i] = c.decs[i][:0]
	}
	c.pos, c.u16, c.f64 = c.pos[:0], c.u16[:0], c.f64[:0]
}

// appendTo hands the buffered columns to a batch; seq numbers start at first.
func (c *columns) appendTo(b driver.Batch, first int64) error {
	seq := make([]uint64, c.n)
	for i := range seq {
		seq[i] = uint64(first) + uint64(i)
	}
	if err := b.Column(0).Append(seq); err != nil {
		return fmt.Errorf("column seq: %w", err)
	}
	if err := b.Column(1).Append(c.pos); err != nil {
		return fmt.Errorf("column pos: %w", err)
	}
	for i, ref := range c.order {
		var v any
		switch ref.typ {
		case 's':
			v = c.strs[ref.i]
		case 't':
			v = c.times[ref.i]
		case 'n':
			v = c.nulls[ref.i]
		case 'd':
			v = c.decs[ref.i]
		case 'u':
			v = c.u16
		case 'f':
			v = c.f64
		}
		if err := b.Column(i + 2).Append(v); err != nil {
			return fmt.Errorf("column %d: %w", i+2, err)
		}
	}
	return nil
}

// money turns an amount into the stored decimal with cents.
func money(x float64) decimal.Decimal { return decimal.NewFromFloat(x).Round(2) }

// AddRep stages a rep.
func (l *Load) AddRep(r salesrecipe.Rep) {
	c := &l.buf
	c.strs[0] = append(c.strs[0], r.ID)
	c.strs[1] = append(c.strs[1], r.Name)
	c.strs[2] = append(c.strs[2], r.Email)
	c.strs[3] = append(c.strs[3], r.Team)
	c.strs[4] = append(c.strs[4], r.ManagerID)
	c.pos = append(c.pos, l.at)
	c.n++
}

// AddQuota stages a quota.
func (l *Load) AddQuota(q salesrecipe.Quota) {
	c := &l.buf
	c.strs[0] = append(c.strs[0], q.RepID)
	c.strs[1] = append(c.strs[1], string(q.Period))
	c.times[0] = append(c.times[0], q.PeriodStart)
	c.decs[0] = append(c.decs[0], money(q.Amount))
	c.pos = append(c.pos, l.at)
	c.n++
}

// AddStage stages a stage.
func (l *Load) AddStage(s salesrecipe.Stage) {
	c := &l.buf
	c.strs[0] = append(c.strs[0], s.Name)
	c.u16 = append(c.u16, uint16(s.Position))
	c.f64 = append(c.f64, s.Probability)
	c.strs[1] = append(c.strs[1], string(s.Category))
	c.pos = append(c.pos, l.at)
	c.n++
}

// AddActivity stages an activity.
func (l *Load) AddActivity(a salesrecipe.Activity) {
	c := &l.buf
	c.strs[0] = append(c.strs[0], a.ID)
	c.strs[1] = append(c.strs[1], a.RepID)
	c.strs[2] = append(c.strs[2], a.Kind)
	c.times[0] = append(c.times[0], a.OccurredAt)
	c.strs[3] = append(c.strs[3], a.AccountID)
	c.strs[4] = append(c.strs[4], a.DealID)
	c.pos = append(c.pos, l.at)
	c.n++
}

// unknownTime is what the store holds for a created_at or close_date the source did not give: 1970-01-01, which
// salesrecipe.Deal.Validate refuses as a value.
var unknownTime = time.Unix(0, 0).UTC()

// orUnknown returns t, or unknownTime when t is zero.
func orUnknown(t time.Time) time.Time {
	if t.IsZero() {
		return unknownTime
	}
	return t
}

// knownOr returns the zero time for unknownTime, else t: how readers hand dates to Go.
func knownOr(t time.Time) time.Time {
	if t.Unix() == unknownTime.Unix() {
		return time.Time{}
	}
	return t
}

// AddDeal stages a deal version; the store fills an unknown created_at (see deals_commit.sql).
func (l *Load) AddDeal(d salesrecipe.Deal) {
	c := &l.buf
	c.strs[0] = append(c.strs[0], d.ID)
	c.times[0] = append(c.times[0], d.UpdatedAt)
	c.strs[1] = append(c.strs[1], d.RepID)
	c.strs[2] = append(c.strs[2], d.AccountID)
	c.strs[3] = append(c.strs[3], d.Stage)
	c.strs[4] = append(c.strs[4], string(d.Status))
	c.decs[0] = append(c.decs[0], money(d.Amount))
	c.times[1] = append(c.times[1], orUnknown(d.CreatedAt))
	c.times[2] = append(c.times[2], orUnknown(d.CloseDate))
	var closed *time.Time
	if !d.ClosedAt.IsZero() {
		t := d.ClosedAt
		closed = &t
	}
	c.nulls[0] = append(c.nulls[0], closed)
	c.strs[5] = append(c.strs[5], d.Source)
	c.pos = append(c.pos, l.at)
	c.n++
}
