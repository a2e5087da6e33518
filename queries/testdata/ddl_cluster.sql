CREATE TABLE IF NOT EXISTS `schema_migrations_local` ON CLUSTER `sales` (
    version UInt32,
    name String,
    dirty UInt8,
    at DateTime64(9, 'UTC')
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (version, at);

CREATE TABLE IF NOT EXISTS `schema_migrations` ON CLUSTER `sales` AS `schema_migrations_local` ENGINE = Distributed('sales', 'salesrecipe', 'schema_migrations_local', version);

CREATE TABLE IF NOT EXISTS `firms_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    name String,
    currency LowCardinality(String),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', loaded_at)
ORDER BY firm;

CREATE TABLE IF NOT EXISTS `firms` ON CLUSTER `sales` AS `firms_local` ENGINE = Distributed('sales', 'salesrecipe', 'firms_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `reps_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    rep_id String,
    name String,
    email String,
    team LowCardinality(String),
    manager_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', loaded_at)
ORDER BY (firm, rep_id);

CREATE TABLE IF NOT EXISTS `reps` ON CLUSTER `sales` AS `reps_local` ENGINE = Distributed('sales', 'salesrecipe', 'reps_local', cityHash64(firm, rep_id));

CREATE TABLE IF NOT EXISTS `quotas_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    rep_id String,
    period LowCardinality(String),
    period_start Date32,
    amount Decimal(18, 2),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', loaded_at)
ORDER BY (firm, rep_id, period, period_start);

CREATE TABLE IF NOT EXISTS `quotas` ON CLUSTER `sales` AS `quotas_local` ENGINE = Distributed('sales', 'salesrecipe', 'quotas_local', cityHash64(firm, rep_id));

CREATE TABLE IF NOT EXISTS `stages_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    stage String,
    position UInt16,
    probability Float64,
    category LowCardinality(String),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', loaded_at)
ORDER BY (firm, stage);

CREATE TABLE IF NOT EXISTS `stages` ON CLUSTER `sales` AS `stages_local` ENGINE = Distributed('sales', 'salesrecipe', 'stages_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `activities_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    activity_id String,
    rep_id String,
    kind LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    account_id String,
    deal_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (firm, rep_id, occurred_at, activity_id);

CREATE TABLE IF NOT EXISTS `activities` ON CLUSTER `sales` AS `activities_local` ENGINE = Distributed('sales', 'salesrecipe', 'activities_local', cityHash64(firm, rep_id));

CREATE TABLE IF NOT EXISTS `activity_daily_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    rep_id String,
    kind LowCardinality(String),
    day Date32,
    activities UInt64
) ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', activities)
PARTITION BY toYYYYMM(day)
ORDER BY (firm, rep_id, kind, day);

CREATE TABLE IF NOT EXISTS `activity_daily` ON CLUSTER `sales` AS `activity_daily_local` ENGINE = Distributed('sales', 'salesrecipe', 'activity_daily_local', cityHash64(firm, rep_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS `activity_daily_mv_local` ON CLUSTER `sales` TO `activity_daily_local` AS
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() AS activities
FROM `activities_local`
GROUP BY firm, rep_id, kind, day;

CREATE TABLE IF NOT EXISTS `deal_versions_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    deal_id String,
    updated_at DateTime64(3, 'UTC'),
    rep_id String,
    account_id String,
    stage LowCardinality(String),
    status LowCardinality(String),
    amount Decimal(18, 2),
    created_at DateTime64(3, 'UTC'),
    close_date Date32,
    closed_at Nullable(DateTime64(3, 'UTC')),
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (firm, deal_id, updated_at);

CREATE TABLE IF NOT EXISTS `deal_versions` ON CLUSTER `sales` AS `deal_versions_local` ENGINE = Distributed('sales', 'salesrecipe', 'deal_versions_local', cityHash64(firm, deal_id));

CREATE TABLE IF NOT EXISTS `recipes_local` ON CLUSTER `sales` (
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
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (firm, grain, fitted_at);

CREATE TABLE IF NOT EXISTS `recipes` ON CLUSTER `sales` AS `recipes_local` ENGINE = Distributed('sales', 'salesrecipe', 'recipes_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `forecast_snapshots_local` ON CLUSTER `sales` (
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
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', created_at)
PARTITION BY toYYYYMM(period_start)
ORDER BY (firm, period_start, level, key, as_of);

CREATE TABLE IF NOT EXISTS `forecast_snapshots` ON CLUSTER `sales` AS `forecast_snapshots_local` ENGINE = Distributed('sales', 'salesrecipe', 'forecast_snapshots_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `session_revocations_local` ON CLUSTER `sales` (
    id String,
    expires DateTime64(3, 'UTC'),
    revoked_at DateTime64(3, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY id;

CREATE TABLE IF NOT EXISTS `session_revocations` ON CLUSTER `sales` AS `session_revocations_local` ENGINE = Distributed('sales', 'salesrecipe', 'session_revocations_local', cityHash64(id));

DROP VIEW IF EXISTS `activity_daily_mv_local` ON CLUSTER `sales`;

CREATE TABLE IF NOT EXISTS `activities_0007_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    activity_id String,
    rep_id String,
    kind LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    account_id String,
    deal_id String,
    loaded_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY (firm, toYYYYMM(occurred_at))
ORDER BY (firm, rep_id, occurred_at, activity_id);

INSERT INTO `activities_0007_local`
SELECT * FROM `activities_local`
ORDER BY loaded_at DESC
LIMIT 1 BY firm, activity_id
SETTINGS max_partitions_per_insert_block = 0;

EXCHANGE TABLES `activities_local` AND `activities_0007_local` ON CLUSTER `sales`;

DROP TABLE `activities_0007_local` ON CLUSTER `sales`;

CREATE TABLE IF NOT EXISTS `activity_daily_0007_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    rep_id String,
    kind LowCardinality(String),
    day Date32,
    activities UInt64
) ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', activities)
PARTITION BY (firm, toYYYYMM(day))
ORDER BY (firm, rep_id, kind, day);

INSERT INTO `activity_daily_0007_local`
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() AS activities
FROM `activities_local`
GROUP BY firm, rep_id, kind, day
SETTINGS max_partitions_per_insert_block = 0;

EXCHANGE TABLES `activity_daily_local` AND `activity_daily_0007_local` ON CLUSTER `sales`;

DROP TABLE `activity_daily_0007_local` ON CLUSTER `sales`;

CREATE TABLE IF NOT EXISTS `load_journal_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    kind LowCardinality(String),
    token String,
    phase LowCardinality(String),
    months Array(UInt32),
    rows_table String,
    daily_table String,
    at DateTime64(6, 'UTC')
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (firm, kind, token, at);

CREATE TABLE IF NOT EXISTS `load_journal` ON CLUSTER `sales` AS `load_journal_local` ENGINE = Distributed('sales', 'salesrecipe', 'load_journal_local', cityHash64(firm));

ALTER TABLE `deal_versions_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS inferred UInt8 DEFAULT 0 AFTER closed_at;

ALTER TABLE `deal_versions` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS inferred UInt8 DEFAULT 0 AFTER closed_at;

CREATE TABLE IF NOT EXISTS `calls_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    period LowCardinality(String),
    period_start Date32,
    rep_id String,
    team String,
    commit Decimal(18, 2),
    best_case Decimal(18, 2),
    note String,
    submitted_by String,
    submitted_at DateTime64(6, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYear(period_start)
ORDER BY (firm, period_start, period, rep_id, team, submitted_at, submitted_by);

CREATE TABLE IF NOT EXISTS `calls` ON CLUSTER `sales` AS `calls_local` ENGINE = Distributed('sales', 'salesrecipe', 'calls_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `plans_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    rep_id String,
    from_month Date32,
    months UInt8,
    multiple Float64,
    saved_at DateTime64(3, 'UTC'),
    saved_by String,
    plan String
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (firm, rep_id, from_month, saved_at, saved_by);

CREATE TABLE IF NOT EXISTS `plans` ON CLUSTER `sales` AS `plans_local` ENGINE = Distributed('sales', 'salesrecipe', 'plans_local', cityHash64(firm));

CREATE TABLE IF NOT EXISTS `contest_versions_local` ON CLUSTER `sales` (
    firm LowCardinality(String),
    contest_id String,
    saved_at DateTime64(3, 'UTC'),
    saved_by String,
    name String,
    period String,
    from_day Date32,
    to_day Date32,
    metric LowCardinality(String),
    teams Array(String),
    reps_see UInt8
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (firm, contest_id, saved_at);

CREATE TABLE IF NOT EXISTS `contest_versions` ON CLUSTER `sales` AS `contest_versions_local` ENGINE = Distributed('sales', 'salesrecipe', 'contest_versions_local', cityHash64(firm));

ALTER TABLE `deal_versions_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT '' AFTER inferred;

ALTER TABLE `deal_versions` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT '' AFTER inferred;

ALTER TABLE `forecast_snapshots_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS from_pipeline Float64 DEFAULT nan AFTER forecast;

ALTER TABLE `forecast_snapshots_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS from_new_business Float64 DEFAULT nan AFTER from_pipeline;

ALTER TABLE `forecast_snapshots` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS from_pipeline Float64 DEFAULT nan AFTER forecast;

ALTER TABLE `forecast_snapshots` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS from_new_business Float64 DEFAULT nan AFTER from_pipeline;

ALTER TABLE `plans_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS plan_hash UInt64,
MODIFY ORDER BY (firm, rep_id, from_month, saved_at, saved_by, plan_hash);

ALTER TABLE `plans` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS plan_hash UInt64;

ALTER TABLE `contest_versions_local` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS version_hash UInt64,
MODIFY ORDER BY (firm, contest_id, saved_at, version_hash);

ALTER TABLE `contest_versions` ON CLUSTER `sales` ADD COLUMN IF NOT EXISTS version_hash UInt64;
