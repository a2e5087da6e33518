-- The deals of a load whose inferred versions a recorded version now replaces:
-- one stored at or before the inferred version's time (a full history loaded
-- after a snapshot). An inferred version before a deal's first recorded one
-- stays: it is all that is known of that time.
SELECT DISTINCT i.deal_id
FROM (SELECT deal_id, updated_at FROM deal_versions
      WHERE firm = {firm:String} AND inferred = 1 AND deal_id IN (SELECT deal_id FROM {stage:Identifier})) AS i
INNER JOIN (SELECT deal_id, min(updated_at) AS first FROM deal_versions
            WHERE firm = {firm:String} AND inferred = 0 AND deal_id IN (SELECT deal_id FROM {stage:Identifier})
            GROUP BY deal_id) AS r ON i.deal_id = r.deal_id
WHERE r.first <= i.updated_at
ORDER BY i.deal_id
