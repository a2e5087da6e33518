-- Stores staged stages that are new or changed; the last row of a stage repeated within the load wins.
INSERT INTO stages (firm, stage, position, probability, category, loaded_at)
SELECT {firm:String}, stage, position, probability, category, {loaded_at:DateTime64(6)}
FROM (SELECT * FROM {stage:Identifier} ORDER BY seq DESC LIMIT 1 BY stage)
WHERE (stage, position, probability, category) NOT IN (
    SELECT stage, argMax(position, loaded_at), argMax(probability, loaded_at), argMax(category, loaded_at)
    FROM stages WHERE firm = {firm:String}
    GROUP BY stage)
