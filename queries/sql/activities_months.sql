-- The months (YYYYMM) a load rewrites: those it stages rows in and those
-- holding stored rows it replaces; stored counts the firm's rows in them now.
SELECT m.month, s.n
FROM (SELECT DISTINCT toYYYYMM(occurred_at) AS month FROM {stage:Identifier}
      UNION DISTINCT SELECT month FROM {ids:Identifier}) AS m
LEFT JOIN (SELECT toYYYYMM(occurred_at) AS month, count() AS n FROM activities
           WHERE firm = {firm:String} GROUP BY month) AS s ON m.month = s.month
ORDER BY m.month
SETTINGS join_use_nulls = 0
