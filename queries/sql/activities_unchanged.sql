-- How many of the load's rows are stored already exactly as they are: rows
-- built from the load whose 64-bit hash of the whole row is among the
-- firm's stored rows (this only counts; a collision would report one new
-- row as a duplicate, never store anything wrongly).
SELECT count() FROM {rows:Identifier}
WHERE loaded_at = {loaded_at:DateTime64(6)}
  AND cityHash64(activity_id, rep_id, kind, occurred_at, account_id, deal_id) IN (
    SELECT cityHash64(activity_id, rep_id, kind, occurred_at, account_id, deal_id) FROM activities
    WHERE firm = {firm:String})
