-- A firm's activities per rep x kind on every whole day before as_of's day, from the daily rollup:
-- one row per rep and kind, the days (days since 1970-01-01) and counts as parallel arrays.
SELECT rep_id, toString(kind) AS kind, groupArray(toInt32(day)) AS days, groupArray(n) AS counts
FROM (
    SELECT rep_id, kind, day, sum(activities) AS n
    FROM activity_daily
    WHERE firm = {firm:String} AND day < toDate32({as_of:DateTime64(3)})
    GROUP BY rep_id, kind, day
)
GROUP BY rep_id, kind
ORDER BY rep_id, kind
