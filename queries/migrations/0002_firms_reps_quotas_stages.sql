-- Firms, reps, quotas and stages: the latest loaded version of each key wins (ReplacingMergeTree on loaded_at).
CREATE TABLE IF NOT EXISTS {{local "firms"}} {{onCluster}} (
    firm LowCardinality(String),
    name String,
    currency LowCardinality(String),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree" "loaded_at"}}
ORDER BY firm;
{{distributed "firms" "cityHash64(firm)"}};

CREATE TABLE IF NOT EXISTS {{local "reps"}} {{onCluster}} (
    firm LowCardinality(String),
    rep_id String,
    name String,
    email String,
    team LowCardinality(String),
    manager_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree" "loaded_at"}}
ORDER BY (firm, rep_id);
{{distributed "reps" "cityHash64(firm, rep_id)"}};

CREATE TABLE IF NOT EXISTS {{local "quotas"}} {{onCluster}} (
    firm LowCardinality(String),
    rep_id String,
    period LowCardinality(String),
    period_start Date32,
    amount Decimal(18, 2),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree" "loaded_at"}}
ORDER BY (firm, rep_id, period, period_start);
{{distributed "quotas" "cityHash64(firm, rep_id)"}};

CREATE TABLE IF NOT EXISTS {{local "stages"}} {{onCluster}} (
    firm LowCardinality(String),
    stage String,
    position UInt16,
    probability Float64,
    category LowCardinality(String),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree" "loaded_at"}}
ORDER BY (firm, stage);
{{distributed "stages" "cityHash64(firm)"}};
