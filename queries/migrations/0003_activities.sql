-- Activities, one row per activity_id, and their daily rollup per firm x rep x kind.
-- Loads insert only ids not already stored, so the rollup counts each activity once.
CREATE TABLE IF NOT EXISTS {{local "activities"}} {{onCluster}} (
    firm LowCardinality(String),
    activity_id String,
    rep_id String,
    kind LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    account_id String,
    deal_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (firm, rep_id, occurred_at, activity_id);
{{distributed "activities" "cityHash64(firm, rep_id)"}};

CREATE TABLE IF NOT EXISTS {{local "activity_daily"}} {{onCluster}} (
    firm LowCardinality(String),
    rep_id String,
    kind LowCardinality(String),
    day Date32,
    activities UInt64
) ENGINE = {{engine "SummingMergeTree" "activities"}}
PARTITION BY toYYYYMM(day)
ORDER BY (firm, rep_id, kind, day);
{{distributed "activity_daily" "cityHash64(firm, rep_id)"}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{local "activity_daily_mv"}} {{onCluster}} TO {{local "activity_daily"}} AS
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() AS activities
FROM {{local "activities"}}
GROUP BY firm, rep_id, kind, day;
