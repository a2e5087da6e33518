-- How many of the stored rows the load replaces are identical to the load's row.
SELECT count() FROM activities
WHERE firm = {firm:String} AND activity_id IN (SELECT activity_id FROM {ids:Identifier})
  AND (activity_id, rep_id, kind, occurred_at, account_id, deal_id) IN (
    SELECT activity_id, rep_id, kind, occurred_at, account_id, deal_id FROM {stage:Identifier} FINAL
    WHERE activity_id IN (SELECT activity_id FROM {ids:Identifier}))
