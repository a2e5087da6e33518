-- Loads replace whole (firm, month) partitions of activities and of their daily
-- rollup (ALTER TABLE ... REPLACE PARTITION), so both tables are partitioned by
-- firm and month, and the rollup is built by the load from the rows it stores
-- instead of by a materialized view (a view does not fire on a partition swap).
-- Rows stored before keep one row per (firm, activity_id): the newest load's.
DROP VIEW IF EXISTS {{local "activity_daily_mv"}} {{onCluster}};

CREATE TABLE IF NOT EXISTS {{local "activities_0007"}} {{onCluster}} (
    firm LowCardinality(String),
    activity_id String,
    rep_id String,
    kind LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    account_id String,
    deal_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree"}}
PARTITION BY (firm, toYYYYMM(occurred_at))
ORDER BY (firm, rep_id, occurred_at, activity_id);

INSERT INTO {{local "activities_0007"}}
SELECT * FROM {{local "activities"}}
ORDER BY loaded_at DESC
LIMIT 1 BY firm, activity_id
SETTINGS max_partitions_per_insert_block = 0;

EXCHANGE TABLES {{local "activities"}} AND {{local "activities_0007"}} {{onCluster}};

DROP TABLE {{local "activities_0007"}} {{onCluster}};

CREATE TABLE IF NOT EXISTS {{local "activity_daily_0007"}} {{onCluster}} (
    firm LowCardinality(String),
    rep_id String,
    kind LowCardinality(String),
    day Date32,
    activities UInt64
) ENGINE = {{engine "SummingMergeTree" "activities"}}
PARTITION BY (firm, toYYYYMM(day))
ORDER BY (firm, rep_id, kind, day);

INSERT INTO {{local "activity_daily_0007"}}
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() AS activities
FROM {{local "activities"}}
GROUP BY firm, rep_id, kind, day
SETTINGS max_partitions_per_insert_block = 0;

EXCHANGE TABLES {{local "activity_daily"}} AND {{local "activity_daily_0007"}} {{onCluster}};

DROP TABLE {{local "activity_daily_0007"}} {{onCluster}};

-- The journal of loads that swap partitions: a 'swap' row before the first
-- swap and a 'done' row after the last, so a load killed in between is
-- finished by the next load of the firm (its new partitions are kept until then).
CREATE TABLE IF NOT EXISTS {{local "load_journal"}} {{onCluster}} (
    firm LowCardinality(String),
    kind LowCardinality(String),
    token String,
    phase LowCardinality(String),
    months Array(UInt32),
    rows_table String,
    daily_table String,
    at DateTime64(6, 'UTC')
) ENGINE = {{engine "MergeTree"}}
ORDER BY (firm, kind, token, at);
{{distributed "load_journal" "cityHash64(firm)"}};
