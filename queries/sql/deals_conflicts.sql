-- Deal versions the load stages twice with different content.
SELECT concat(deal_id, ' at ', toString(updated_at)), argMin(pos, h), argMax(pos, h) FROM (
    SELECT deal_id, updated_at, pos,
           cityHash64(rep_id, account_id, stage, status, amount, created_at, close_date,
                      isNull(closed_at), ifNull(closed_at, toDateTime64(0, 3, 'UTC'))) AS h
    FROM {stage:Identifier})
GROUP BY deal_id, updated_at
HAVING min(h) != max(h)
ORDER BY min(pos)
LIMIT {limit:UInt32}
