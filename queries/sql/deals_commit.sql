-- Moves staged deal versions whose (deal_id, updated_at) is not stored yet;
-- FINAL keeps the first row of a version repeated within the load.
INSERT INTO deal_versions (firm, deal_id, updated_at, rep_id, account_id, stage, status, amount, created_at, close_date, closed_at, loaded_at)
SELECT {firm:String}, deal_id, updated_at, rep_id, account_id, stage, status, amount, created_at, close_date, closed_at, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE (deal_id, updated_at) NOT IN (
    SELECT deal_id, updated_at FROM deal_versions
    WHERE firm = {firm:String} AND deal_id IN (SELECT deal_id FROM {stage:Identifier}))
-- One block, so one part: readers see all of the load's rows or none.
SETTINGS max_insert_threads = 1, min_insert_block_size_rows = 1000000000000, min_insert_block_size_bytes = 1000000000000000
