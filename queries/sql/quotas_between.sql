-- The latest amount of every quota whose period starts in [from, to).
SELECT rep_id, period, period_start, toFloat64(argMax(amount, loaded_at)) AS amount
FROM quotas
WHERE firm = {firm:String} AND period_start >= {from:Date32} AND period_start < {to:Date32}
GROUP BY rep_id, period, period_start
ORDER BY rep_id, period_start, period
