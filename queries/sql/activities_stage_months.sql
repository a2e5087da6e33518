-- The months (YYYYMM) a staged activity load touches, and whether the firm
-- has any activity stored in each: a month with none skips the lookup of stored ids.
SELECT month, month IN (
    SELECT DISTINCT toYYYYMM(occurred_at) FROM activities
    WHERE firm = {firm:String}
      AND toYYYYMM(occurred_at) IN (SELECT DISTINCT toYYYYMM(occurred_at) FROM {stage:Identifier})) AS stored
FROM (SELECT DISTINCT toYYYYMM(occurred_at) AS month FROM {stage:Identifier})
ORDER BY month
