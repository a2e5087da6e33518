-- A firm's activities per rep x kind on the own day of each of some moments, up to the moment:
-- what the daily rollup cannot say about a moment inside a day. Activities meet the moments of
-- their day through a join on the day (0.4 s for a 12-month backtest's 186 moments at 1,000 reps,
-- where matching every activity against the list of moments took 3 s).
SELECT ms.m AS m, a.rep_id AS rep_id, toString(a.kind) AS kind, count() AS n
FROM activities AS a
INNER JOIN (SELECT arrayJoin({moments:Array(DateTime64(3, 'UTC'))}) AS m, toDate32(m) AS d) AS ms
    ON toDate32(a.occurred_at) = ms.d
WHERE a.firm = {firm:String} AND a.occurred_at <= ms.m
  AND toDate32(a.occurred_at) IN (SELECT toDate32(arrayJoin({moments:Array(DateTime64(3, 'UTC'))})))
GROUP BY m, rep_id, kind
ORDER BY m, rep_id, kind
