-- A firm's activities per rep x kind on every whole day before as_of's day, from the daily rollup:
-- one row per rep and kind, each day's count packed with the day in one UInt64 (days since
-- 1970-01-01 plus 2^31 in the high 32 bits, the count in the low 32), since the client decodes an
-- array element by element. A day may appear more than once (rollup parts not merged yet): the
-- reader adds them up, which costs nothing here, while a GROUP BY of every rep x kind x day took 4x
-- the time and 350 MB more.
SELECT rep_id, toString(kind) AS kind,
       groupArray(bitOr(bitShiftLeft(toUInt64(toInt64(toInt32(day)) + 2147483648), 32), toUInt64(toUInt32(activities)))) AS day_counts
FROM activity_daily
WHERE firm = {firm:String} AND day < toDate32({as_of:DateTime64(3)})
GROUP BY rep_id, kind
ORDER BY rep_id, kind
