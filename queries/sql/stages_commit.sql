-- Stores staged stages that are new or changed; FINAL keeps the last row of a stage repeated within the load.
INSERT INTO stages (firm, stage, position, probability, category, loaded_at)
SELECT {firm:String}, stage, position, probability, category, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE (stage, position, probability, category) NOT IN (
    SELECT stage, argMax(position, loaded_at), argMax(probability, loaded_at), argMax(category, loaded_at)
    FROM stages WHERE firm = {firm:String}
    GROUP BY stage)
-- One block, so one part: readers see all of the load's rows or none.
SETTINGS max_insert_threads = 1, min_insert_block_size_rows = 1000000000000, min_insert_block_size_bytes = 1000000000000000
