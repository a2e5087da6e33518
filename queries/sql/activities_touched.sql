-- The stored activities of the firm whose ids the load stages, with the month
-- each is stored in: the load replaces them, in that month or another.
INSERT INTO {ids:Identifier} (activity_id, month)
SELECT activity_id, toYYYYMM(occurred_at) FROM activities
WHERE firm = {firm:String} AND activity_id IN (SELECT activity_id FROM {stage:Identifier})
