-- Activities per rep x period x kind for [from, to) as known at as_of: whole
-- days before as_of's day come from the daily rollup, the rest of as_of's own
-- day from raw activities up to as_of, so the answer is exact without scanning
-- raw activities for the whole range.
SELECT rep_id,
       multiIf({grain:String} = 'week', toStartOfWeek(day, 3),
               {grain:String} = 'quarter', toStartOfQuarter(day),
               toStartOfMonth(day)) AS period,
       kind, sum(n) AS n
FROM (
    SELECT rep_id, kind, day, sum(activities) AS n
    FROM activity_daily
    WHERE firm = {firm:String} AND day >= {from:Date32} AND day < {to:Date32}
      AND day < toDate32({as_of:DateTime64(3)})
    GROUP BY rep_id, kind, day
    UNION ALL
    SELECT rep_id, kind, toDate32(occurred_at) AS day, count() AS n
    FROM activities
    WHERE firm = {firm:String}
      AND occurred_at >= greatest(toDateTime64(toDate32({as_of:DateTime64(3)}), 3, 'UTC'), toDateTime64({from:Date32}, 3, 'UTC'))
      AND occurred_at < toDateTime64({to:Date32}, 3, 'UTC')
      AND occurred_at <= {as_of:DateTime64(3)}
    GROUP BY rep_id, kind, day
)
GROUP BY rep_id, period, kind
ORDER BY rep_id, period, kind
