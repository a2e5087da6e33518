-- Every forecast call of a firm for the periods starting in [from, to], submitted at or before
-- as_of, oldest first (a retried insert of the same submission is read once).
SELECT period, period_start, rep_id, team, toFloat64(commit), toFloat64(best_case), note, submitted_by, submitted_at
FROM calls
WHERE firm = {firm:String} AND period_start >= {from:Date32} AND period_start <= {to:Date32}
  AND submitted_at <= {as_of:DateTime64(6)}
ORDER BY submitted_at, period, rep_id, team, submitted_by
LIMIT 1 BY period, rep_id, team, submitted_at, submitted_by
