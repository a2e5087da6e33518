-- A firm's activities per rep x kind on every whole day before as_of's day, from the daily rollup:
-- one row per rep and kind, the days (days since 1970-01-01) and counts as parallel arrays. A day
-- may appear more than once (rollup parts not merged yet): the reader adds them up, which costs
-- nothing here, while a GROUP BY of every rep x kind x day took 4x the time and 350 MB more.
SELECT rep_id, toString(kind) AS kind, groupArray(toInt32(day)) AS days, groupArray(toUInt32(activities)) AS counts
FROM activity_daily
WHERE firm = {firm:String} AND day < toDate32({as_of:DateTime64(3)})
GROUP BY rep_id, kind
ORDER BY rep_id, kind
