-- Stores staged reps that are new or differ from their stored state; FINAL
-- keeps the last row of a rep repeated within the load.
INSERT INTO reps (firm, rep_id, name, email, team, manager_id, loaded_at)
SELECT {firm:String}, rep_id, name, email, team, manager_id, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE (rep_id, name, email, team, manager_id) NOT IN (
    SELECT rep_id, argMax(name, loaded_at), argMax(email, loaded_at), argMax(team, loaded_at), argMax(manager_id, loaded_at)
    FROM reps WHERE firm = {firm:String}
    GROUP BY rep_id)
-- One block, so one part: readers see all of the load's rows or none.
SETTINGS max_insert_threads = 1, min_insert_block_size_rows = 1000000000000, min_insert_block_size_bytes = 1000000000000000
