-- A firm's activities per rep x kind on the own day of each of some moments, up to the moment:
-- what the daily rollup cannot say about a moment inside a day.
SELECT m, rep_id, toString(kind) AS kind, count() AS n
FROM (
    SELECT rep_id, kind,
           arrayJoin(arrayFilter(x -> toDate32(x) = toDate32(occurred_at) AND occurred_at <= x,
                                 {moments:Array(DateTime64(3, 'UTC'))})) AS m
    FROM activities
    WHERE firm = {firm:String}
      AND toDate32(occurred_at) IN (SELECT toDate32(arrayJoin({moments:Array(DateTime64(3, 'UTC'))})))
)
GROUP BY m, rep_id, kind
ORDER BY m, rep_id, kind
