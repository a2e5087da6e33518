-- The months (YYYYMM) a staged activity load touches.
SELECT DISTINCT toYYYYMM(occurred_at) AS month
FROM {stage:Identifier}
ORDER BY month
