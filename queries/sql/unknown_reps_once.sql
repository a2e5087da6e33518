-- unknown_reps.sql for a load that stages each identity once: the same
-- counts without the merge of FINAL.
SELECT count(), uniqExact(rep_id)
FROM {stage:Identifier}
WHERE rep_id NOT IN (SELECT rep_id FROM reps WHERE firm = {firm:String})
