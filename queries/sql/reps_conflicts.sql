-- Reps the load stages twice with different content.
-- One bucket of identities at a time, so the hash tables stay small; only
-- identities staged more than once have their content compared.
SELECT rep_id, argMin(pos, h), argMax(pos, h) FROM (
    SELECT rep_id, pos, cityHash64(name, email, team, manager_id) AS h FROM {stage:Identifier})
GROUP BY rep_id
HAVING min(h) != max(h)
ORDER BY min(pos)
LIMIT {limit:UInt32}
