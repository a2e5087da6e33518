-- The state at as_of of every deal one rep owns at as_of.
SELECT deal_id,
       max(updated_at) AS updated,
       argMax(rep_id, updated_at) AS owner, argMax(account_id, updated_at), argMax(stage, updated_at),
       argMax(status, updated_at), toFloat64(argMax(amount, updated_at)),
       argMax(created_at, updated_at), argMax(close_date, updated_at), argMax(tuple(closed_at), updated_at).1
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
GROUP BY deal_id
HAVING owner = {rep:String}
ORDER BY deal_id
