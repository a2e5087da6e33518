-- The versions known at as_of of a firm's deals with ids in [lo, hi) (hi '' for no upper bound), in
-- deal id and update order; a version loaded twice appears once. Times are Unix milliseconds
-- (closed_at of an open version: the smallest Int64), close_date too, and the status is 0 open,
-- 1 won, 2 lost; close_date 1970-01-01 (unknown) is the smallest Int64 too, and a recorded version wins over an
-- inferred one of the same time (deals_superseded.sql deletes the latter). Plain rows in the table's own order stream from the engine (a GROUP BY deal_id
-- with arrays was 6x slower and took 2 GB at 1,000 reps), and ranges of ids read through the
-- primary key keep each result small.
SELECT deal_id, toUnixTimestamp64Milli(updated_at), rep_id, toString(stage),
       toUInt8(indexOf(['open', 'won', 'lost'], toString(status)) - 1), toFloat64(amount),
       toUnixTimestamp64Milli(created_at), if(close_date = toDate32(0), toInt64(-9223372036854775808), toInt64(toInt32(close_date)) * 86400000),
       ifNull(toUnixTimestamp64Milli(closed_at), toInt64(-9223372036854775808)), inferred = 1, toString(source)
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
  AND deal_id >= {lo:String} AND ({hi:String} = '' OR deal_id < {hi:String})
ORDER BY deal_id, updated_at, inferred
LIMIT 1 BY deal_id, updated_at
