-- Activities per rep x month x kind from the daily rollup, exact whether or not parts have merged.
SELECT rep_id, toStartOfMonth(day) AS month, kind, sum(activities) AS n
FROM activity_daily
WHERE firm = {firm:String} AND day >= {from:Date32} AND day < {to:Date32}
GROUP BY rep_id, month, kind
ORDER BY rep_id, month, kind
