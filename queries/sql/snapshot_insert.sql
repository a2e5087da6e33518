INSERT INTO forecast_snapshots (firm, period, period_start, period_end, as_of, created_at, level, key, name, team, quota, closed_won, pipeline_open, pipeline_weighted, forecast, low, high)
