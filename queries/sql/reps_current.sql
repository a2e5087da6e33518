-- The latest loaded state of every rep of a firm.
SELECT rep_id,
       argMax(name, loaded_at) AS name,
       argMax(email, loaded_at) AS email,
       argMax(team, loaded_at) AS team,
       argMax(manager_id, loaded_at) AS manager_id
FROM reps
WHERE firm = {firm:String}
GROUP BY rep_id
ORDER BY rep_id
