-- The versions known at as_of of the deals whose state at as_of (their latest version with
-- updated_at <= as_of) is open, or won with closed_at in [from, to): all a forecast of one moment
-- reads of the deal history, in the rows and order of firm_deal_versions.sql, so that the forecast
-- walks them with the same code as a fit. The latest states come from the table's own order
-- (LIMIT 1 BY on updated_at descending), which took 0.14 s at 1,000 reps where a GROUP BY deal_id
-- with argMax took 0.4 s.
SELECT deal_id, toUnixTimestamp64Milli(updated_at), rep_id, toString(stage),
       toUInt8(indexOf(['open', 'won', 'lost'], toString(status)) - 1), toFloat64(amount),
       toUnixTimestamp64Milli(created_at), if(close_date = toDate32(0), toInt64(-9223372036854775808), toInt64(toInt32(close_date)) * 86400000),
       ifNull(toUnixTimestamp64Milli(closed_at), toInt64(-9223372036854775808)), inferred = 1, toString(source)
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
  AND deal_id IN (
      SELECT deal_id
      FROM (
          SELECT deal_id, status, closed_at
          FROM deal_versions
          WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
          ORDER BY deal_id, updated_at DESC
          LIMIT 1 BY deal_id
      )
      WHERE status = 'open'
         OR (status = 'won' AND closed_at >= toDateTime64({from:Date32}, 3, 'UTC') AND closed_at < toDateTime64({to:Date32}, 3, 'UTC'))
  )
ORDER BY deal_id, updated_at, inferred
LIMIT 1 BY deal_id, updated_at
