-- For every rep x stage: the deals created in [from, as_of] that were ever in
-- the stage by as_of, and how many of them are won, lost or still open at as_of
-- (a deal counts for its owner at as_of).
SELECT rep_id, stage,
       count() AS deals,
       countIf(status = 'won') AS won,
       countIf(status = 'lost') AS lost,
       sumIf(amt, status = 'won') AS won_amount
FROM (
    SELECT argMax(rep_id, (updated_at, 1 - inferred)) AS rep_id,
           argMax(status, (updated_at, 1 - inferred)) AS status,
           toFloat64(argMax(amount, (updated_at, 1 - inferred))) AS amt,
           groupUniqArray(stage) AS stages
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
      AND created_at >= toDateTime64({from:Date32}, 3, 'UTC')
    GROUP BY deal_id
)
ARRAY JOIN stages AS stage
GROUP BY rep_id, stage
ORDER BY rep_id, stage
