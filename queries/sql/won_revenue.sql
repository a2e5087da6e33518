-- Won revenue per rep x period of closed_at, for deals whose state at as_of is won
-- and whose close falls in [from, to).
SELECT rep_id,
       multiIf({grain:String} = 'week', toStartOfWeek(toDate32(closed), 3),
               {grain:String} = 'quarter', toStartOfQuarter(toDate32(closed)),
               toStartOfMonth(toDate32(closed))) AS period,
       sum(amount) AS revenue, count() AS deals
FROM (
    SELECT argMax(rep_id, (updated_at, 1 - inferred)) AS rep_id,
           argMax(status, (updated_at, 1 - inferred)) AS status,
           toFloat64(argMax(amount, (updated_at, 1 - inferred))) AS amount,
           argMax(tuple(closed_at), (updated_at, 1 - inferred)).1 AS closed
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
)
WHERE status = 'won' AND closed IS NOT NULL
  AND closed >= toDateTime64({from:Date32}, 3, 'UTC') AND closed < toDateTime64({to:Date32}, 3, 'UTC')
GROUP BY rep_id, period
ORDER BY rep_id, period
