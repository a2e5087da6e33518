-- The deals of a firm whose state at as_of (their latest version with updated_at <= as_of) is open,
-- or won with closed_at in [from, to): one pass over the deal history for a forecast. For open deals
-- it also gives when the deal was created (its first known time when earlier), when it entered its
-- current stage and how often its expected close date moved later; those come from a second pass
-- over the versions of the open deals only.
WITH latest AS (
    SELECT deal_id,
           argMax(rep_id, updated_at) AS last_rep,
           argMax(stage, updated_at) AS last_stage,
           argMax(status, updated_at) AS last_status,
           toFloat64(argMax(amount, updated_at)) AS last_amount,
           argMax(close_date, updated_at) AS last_close,
           argMax(tuple(closed_at), updated_at).1 AS closed,
           argMax(created_at, updated_at) AS last_created,
           min(updated_at) AS first_seen
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
    HAVING last_status = 'open'
        OR (last_status = 'won' AND closed >= toDateTime64({from:Date32}, 3, 'UTC') AND closed < toDateTime64({to:Date32}, 3, 'UTC'))
),
histories AS (
    SELECT deal_id, arraySort(x -> x.1, groupArray(tuple(updated_at, toString(stage), close_date))) AS h
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
      AND deal_id IN (SELECT deal_id FROM latest WHERE last_status = 'open')
    GROUP BY deal_id
)
SELECT deal_id, last_rep, last_stage, last_status, last_amount, last_close, closed, created,
       if(changed = 0, created, h[changed].1) AS stage_since,
       toUInt32(arrayCount(i -> i > 1 AND h[i].3 > h[i - 1].3, arrayEnumerate(h))) AS pushes
FROM (
    SELECT l.*, hs.h AS h, least(l.last_created, l.first_seen) AS created,
           arrayLastIndex(i -> i > 1 AND h[i].2 != h[i - 1].2, arrayEnumerate(h)) AS changed
    FROM latest AS l
    LEFT JOIN histories AS hs ON hs.deal_id = l.deal_id
)
ORDER BY deal_id
