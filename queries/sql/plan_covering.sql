-- The latest version (saved at or before as_of) of the rep's plan that covers a month: of the
-- plans whose latest version spans the month, the one starting last.
SELECT from_month, months, multiple, saved_at, saved_by, plan
FROM (
    SELECT from_month, months, multiple, saved_at, saved_by, plan
    FROM plans
    WHERE firm = {firm:String} AND rep_id = {rep:String} AND from_month <= {month:Date32}
      AND saved_at <= {as_of:DateTime64(3)}
    ORDER BY from_month, saved_at DESC, saved_by, plan
    LIMIT 1 BY from_month
)
WHERE addMonths(from_month, months) > {month:Date32}
ORDER BY from_month DESC
LIMIT 1
