-- The deals of a firm whose state at as_of (their latest version with updated_at <= as_of) is open,
-- or won with closed_at in [from, to): one pass over the deal history for a forecast.
SELECT deal_id, rep_id, stage, status, amount, close_date, closed
FROM (
    SELECT deal_id,
           argMax(rep_id, updated_at) AS rep_id,
           argMax(stage, updated_at) AS stage,
           argMax(status, updated_at) AS status,
           toFloat64(argMax(amount, updated_at)) AS amount,
           argMax(close_date, updated_at) AS close_date,
           argMax(tuple(closed_at), updated_at).1 AS closed
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
)
WHERE status = 'open'
   OR (status = 'won' AND closed >= toDateTime64({from:Date32}, 3, 'UTC') AND closed < toDateTime64({to:Date32}, 3, 'UTC'))
ORDER BY deal_id
