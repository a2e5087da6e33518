-- Deal history: append-only, one row per version (deal_id, updated_at); the
-- state of a deal at any time is its latest version with updated_at <= that time.
CREATE TABLE IF NOT EXISTS {{local "deal_versions"}} {{onCluster}} (
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
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY (firm, deal_id, updated_at);
{{distributed "deal_versions" "cityHash64(firm, deal_id)"}};
