-- Every version of every deal of a firm known at as_of, in order; a version
-- loaded twice appears once, and a recorded version wins over an inferred one of the same time.
SELECT deal_id, updated_at, rep_id, account_id, stage, status, toFloat64(amount) AS amount,
       created_at, close_date, closed_at, inferred = 1, toString(source)
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
ORDER BY deal_id, updated_at, inferred
LIMIT 1 BY deal_id, updated_at
