-- The state at as_of of every deal one rep owns at as_of.
SELECT deal_id,
       max(updated_at) AS updated,
       argMax(rep_id, (updated_at, 1 - inferred)) AS owner, argMax(account_id, (updated_at, 1 - inferred)), argMax(stage, (updated_at, 1 - inferred)),
       argMax(status, (updated_at, 1 - inferred)), toFloat64(argMax(amount, (updated_at, 1 - inferred))),
       argMax(created_at, (updated_at, 1 - inferred)), argMax(close_date, (updated_at, 1 - inferred)), argMax(tuple(closed_at), (updated_at, 1 - inferred)).1,
       argMax(inferred, (updated_at, 1 - inferred)) = 1, toString(argMax(source, (updated_at, 1 - inferred)))
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
GROUP BY deal_id
HAVING owner = {rep:String}
ORDER BY deal_id
