-- The new content of one (firm, month) partition: the stored rows the load
-- does not replace and the load's rows of the month (FINAL keeps the first of
-- an id repeated within the load).
INSERT INTO {rows:Identifier} (firm, activity_id, rep_id, kind, occurred_at, account_id, deal_id, loaded_at)
SELECT firm, activity_id, rep_id, kind, occurred_at, account_id, deal_id, loaded_at FROM activities
WHERE firm = {firm:String} AND toYYYYMM(occurred_at) = {month:UInt32}
  AND activity_id NOT IN (SELECT activity_id FROM {ids:Identifier} WHERE month = {month:UInt32})
UNION ALL
SELECT {firm:String}, activity_id, rep_id, kind, occurred_at, account_id, deal_id, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE toYYYYMM(occurred_at) = {month:UInt32}
SETTINGS min_insert_block_size_rows = 131072, min_insert_block_size_bytes = 33554432
