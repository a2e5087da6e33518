-- The deals of a firm whose state at as_of (their latest version with updated_at <= as_of) is open.
SELECT deal_id, rep_id, stage, amount, close_date
FROM (
    SELECT deal_id,
           argMax(rep_id, updated_at) AS rep_id,
           argMax(stage, updated_at) AS stage,
           argMax(status, updated_at) AS status,
           toFloat64(argMax(amount, updated_at)) AS amount,
           argMax(close_date, updated_at) AS close_date
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
)
WHERE status = 'open'
ORDER BY deal_id
