-- One rep's activities per period x kind for [from, to) as known at as_of,
-- read like activity_counts.sql: the daily rollup for whole days before
-- as_of's day, raw activities for the rest.
SELECT multiIf({grain:String} = 'week', toStartOfWeek(day, 3),
               {grain:String} = 'quarter', toStartOfQuarter(day),
               toStartOfMonth(day)) AS period,
       kind, sum(n) AS n
FROM (
    SELECT kind, day, sum(activities) AS n
    FROM activity_daily
    WHERE firm = {firm:String} AND rep_id = {rep:String}
      AND day >= {from:Date32} AND day < {to:Date32}
      AND day < toDate32({as_of:DateTime64(3)})
    GROUP BY kind, day
    UNION ALL
    SELECT kind, toDate32(occurred_at) AS day, count() AS n
    FROM activities
    WHERE firm = {firm:String} AND rep_id = {rep:String}
      AND occurred_at >= greatest(toDateTime64(toDate32({as_of:DateTime64(3)}), 3, 'UTC'), toDateTime64({from:Date32}, 3, 'UTC'))
      AND occurred_at < toDateTime64({to:Date32}, 3, 'UTC')
      AND occurred_at <= {as_of:DateTime64(3)}
    GROUP BY kind, day
)
GROUP BY period, kind
ORDER BY period, kind
