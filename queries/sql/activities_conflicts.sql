-- Ids the load stages twice with different content: the first two such rows of each.
SELECT activity_id, argMin(pos, h), argMax(pos, h) FROM (
    SELECT activity_id, pos, cityHash64(rep_id, kind, occurred_at, account_id, deal_id) AS h
    FROM {stage:Identifier})
GROUP BY activity_id
HAVING min(h) != max(h)
ORDER BY min(pos)
LIMIT {limit:UInt32}
