-- Stores staged quotas that are new or differ from their stored amount; FINAL keeps the
-- last row of a quota repeated within the load.
INSERT INTO quotas (firm, rep_id, period, period_start, amount, loaded_at)
SELECT {firm:String}, rep_id, period, period_start, amount, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE (rep_id, period, period_start, amount) NOT IN (
    SELECT rep_id, period, period_start, argMax(amount, loaded_at)
    FROM quotas WHERE firm = {firm:String}
    GROUP BY rep_id, period, period_start)
-- One block, so one part: readers see all of the load's rows or none.
SETTINGS max_insert_threads = 1, min_insert_block_size_rows = 1000000000000, min_insert_block_size_bytes = 1000000000000000
