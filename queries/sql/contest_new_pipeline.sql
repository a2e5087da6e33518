-- Per rep, the amount of the deals created in [from, to), each deal in its state at as_of
-- (its owner and amount then), whatever became of it since.
SELECT rep_id, sum(amount) AS amount, count() AS deals
FROM (
    SELECT argMax(rep_id, (updated_at, 1 - inferred)) AS rep_id,
           toFloat64(argMax(amount, (updated_at, 1 - inferred))) AS amount,
           argMax(created_at, (updated_at, 1 - inferred)) AS created
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
)
WHERE created >= toDateTime64({from:Date32}, 3, 'UTC') AND created < toDateTime64({to:Date32}, 3, 'UTC')
  AND created <= {as_of:DateTime64(3)}
GROUP BY rep_id
ORDER BY rep_id
