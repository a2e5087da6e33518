-- Every deal of a firm as known at as_of, one row per deal in deal id order: its versions with
-- updated_at <= as_of (a version loaded twice counts once) as parallel arrays in update order.
-- Times are Unix milliseconds (closed_at of an open version: the smallest Int64), close_date too,
-- and the status is 0 open, 1 won, 2 lost, so that nothing but the rep and stage names is text.
SELECT arraySort(updated) AS updated_ms,
       arraySort((x, u) -> u, reps, updated) AS rep_ids,
       arraySort((x, u) -> u, stages, updated) AS stage_names,
       arraySort((x, u) -> u, statuses, updated) AS status_codes,
       arraySort((x, u) -> u, amounts, updated) AS amounts,
       arraySort((x, u) -> u, created, updated) AS created_ms,
       arraySort((x, u) -> u, close_dates, updated) AS close_ms,
       arraySort((x, u) -> u, closed, updated) AS closed_ms
FROM (
    SELECT deal_id,
           groupArray(toUnixTimestamp64Milli(updated_at)) AS updated,
           groupArray(rep_id) AS reps,
           groupArray(toString(stage)) AS stages,
           groupArray(toUInt8(indexOf(['open', 'won', 'lost'], toString(status)) - 1)) AS statuses,
           groupArray(toFloat64(amount)) AS amounts,
           groupArray(toUnixTimestamp64Milli(created_at)) AS created,
           groupArray(toInt64(toInt32(close_date)) * 86400000) AS close_dates,
           groupArray(ifNull(toUnixTimestamp64Milli(closed_at), toInt64(-9223372036854775808))) AS closed
    FROM (
        SELECT deal_id, updated_at, rep_id, stage, status, amount, created_at, close_date, closed_at
        FROM deal_versions
        WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
        LIMIT 1 BY deal_id, updated_at
    )
    GROUP BY deal_id
)
ORDER BY deal_id
