-- Fitted recipes (every fit kept, newest wins) and forecast snapshots for accuracy tracking.
CREATE TABLE IF NOT EXISTS {{local "recipes"}} {{onCluster}} (
    firm LowCardinality(String),
    grain LowCardinality(String),
    fitted_at DateTime64(3, 'UTC'),
    as_of DateTime64(3, 'UTC'),
    data_from Date32,
    data_to Date32,
    method String,
    observations UInt32,
    cv_wape Float64,
    recipe String
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY (firm, grain, fitted_at);
{{distributed "recipes" "cityHash64(firm)"}};

CREATE TABLE IF NOT EXISTS {{local "forecast_snapshots"}} {{onCluster}} (
    firm LowCardinality(String),
    period LowCardinality(String),
    period_start Date32,
    period_end Date32,
    as_of DateTime64(3, 'UTC'),
    created_at DateTime64(3, 'UTC'),
    level LowCardinality(String),
    key String,
    name String,
    team LowCardinality(String),
    quota Float64,
    closed_won Float64,
    pipeline_open Float64,
    pipeline_weighted Float64,
    forecast Float64,
    low Float64,
    high Float64
) ENGINE = {{engine "ReplacingMergeTree" "created_at"}}
PARTITION BY toYYYYMM(period_start)
ORDER BY (firm, period_start, level, key, as_of);
{{distributed "forecast_snapshots" "cityHash64(firm)"}};
