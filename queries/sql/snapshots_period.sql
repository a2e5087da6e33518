-- The forecast snapshots of a firm's period, one row per level, key and as_of (the newest run wins).
SELECT period, period_start, period_end, as_of, created_at, level, key, name, team, quota, closed_won,
       pipeline_open, pipeline_weighted, forecast, from_pipeline, from_new_business, low, high
FROM forecast_snapshots
WHERE firm = {firm:String} AND period_start = {period_start:Date32}
ORDER BY as_of, level, key, created_at DESC
LIMIT 1 BY as_of, level, key
