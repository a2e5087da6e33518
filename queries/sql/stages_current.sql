-- The latest loaded state of every stage of a firm, in pipeline order.
SELECT stage,
       argMax(position, loaded_at) AS position,
       argMax(probability, loaded_at) AS probability,
       argMax(category, loaded_at) AS category
FROM stages
WHERE firm = {firm:String}
GROUP BY stage
ORDER BY position, stage
