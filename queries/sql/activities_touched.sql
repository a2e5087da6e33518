-- The stored activities of the firm whose ids the load stages, with the month
-- each is stored in: the load replaces them, in that month or another. One
-- bucket of ids at a time, so the set of staged ids stays small.
INSERT INTO {ids:Identifier} (activity_id, month)
SELECT activity_id, toYYYYMM(occurred_at) FROM activities
WHERE firm = {firm:String} AND cityHash64(activity_id) % {buckets:UInt64} = {bucket:UInt64}
  AND activity_id IN (SELECT activity_id FROM {stage:Identifier}
                      WHERE cityHash64(activity_id) % {buckets:UInt64} = {bucket:UInt64})
