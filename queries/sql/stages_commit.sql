-- Stores staged stages that are new or changed; FINAL keeps the last row of a stage repeated within the load.
INSERT INTO stages (firm, stage, position, probability, category, loaded_at)
SELECT {firm:String}, stage, position, probability, category, {loaded_at:DateTime64(6)}
FROM {stage:Identifier} FINAL
WHERE (stage, position, probability, category) NOT IN (
    SELECT stage, argMax(position, loaded_at), argMax(probability, loaded_at), argMax(category, loaded_at)
    FROM stages WHERE firm = {firm:String}
    GROUP BY stage)
