-- Ids the load stages twice with different content: the first two such rows of each.
-- One bucket of identities at a time, so the hash tables stay small; only
-- identities staged more than once have their content compared.
SELECT activity_id, argMin(pos, h), argMax(pos, h) FROM (
    SELECT activity_id, pos, cityHash64(rep_id, kind, occurred_at, account_id, deal_id) AS h
    FROM {stage:Identifier}
    WHERE activity_id IN (SELECT activity_id FROM {stage:Identifier}
                     WHERE cityHash64(activity_id) % {buckets:UInt64} = {bucket:UInt64}
                     GROUP BY activity_id HAVING count() > 1))
GROUP BY activity_id
HAVING min(h) != max(h)
ORDER BY min(pos)
LIMIT {limit:UInt32}
