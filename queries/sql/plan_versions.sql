-- Every saved version of one rep's plan starting in one month, saved at or before as_of, newest
-- first; a version stored twice (a retried insert not merged yet) appears once, and two saves of one
-- millisecond with different content are both kept.
SELECT from_month, months, multiple, saved_at, saved_by, plan
FROM plans
WHERE firm = {firm:String} AND rep_id = {rep:String} AND from_month = {from:Date32}
  AND saved_at <= {as_of:DateTime64(3)}
ORDER BY saved_at DESC, saved_by, plan
LIMIT 1 BY saved_at, saved_by, plan
