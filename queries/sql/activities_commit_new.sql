-- Moves one month of staged activities into a month where the firm has none
-- stored yet; FINAL keeps the first row of an id repeated within the load.
INSERT INTO activities (firm, activity_id, rep_id, kind, occurred_at, account_id, deal_id, loaded_at)
SELECT {firm:String}, activity_id, rep_id, kind, occurred_at, account_id, deal_id, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE toYYYYMM(occurred_at) = {month:UInt32}
SETTINGS min_insert_block_size_rows = 131072, min_insert_block_size_bytes = 33554432
