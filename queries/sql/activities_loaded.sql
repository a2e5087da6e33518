-- How many activities a load stored.
SELECT count() FROM activities
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
  AND toYYYYMM(occurred_at) IN (SELECT DISTINCT toYYYYMM(occurred_at) FROM {stage:Identifier})
