-- Deal versions the load stages twice with different content.
-- One bucket of identities at a time, so the hash tables stay small; only
-- identities staged more than once have their content compared.
SELECT concat(deal_id, ' at ', toString(updated_at)), argMin(pos, h), argMax(pos, h) FROM (
    SELECT deal_id, updated_at, pos,
           cityHash64(rep_id, account_id, stage, status, amount, created_at, close_date,
                      isNull(closed_at), ifNull(closed_at, toDateTime64(0, 3, 'UTC')), source) AS h
    FROM {stage:Identifier}
    WHERE (deal_id, updated_at) IN (SELECT (deal_id, updated_at) FROM {stage:Identifier}
                     WHERE cityHash64(deal_id) % {buckets:UInt64} = {bucket:UInt64}
                     GROUP BY (deal_id, updated_at) HAVING count() > 1))
GROUP BY deal_id, updated_at
HAVING min(h) != max(h)
ORDER BY min(pos)
LIMIT {limit:UInt32}
