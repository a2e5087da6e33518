-- Reps' business plans: every save is a new row, never changed (the latest saved_at counts).
-- plan holds the plan's lists (accounts, objectives, training, goals) as JSON; the columns
-- beside it are what reads select on.
CREATE TABLE IF NOT EXISTS {{local "plans"}} {{onCluster}} (
    firm LowCardinality(String),
    rep_id String,
    from_month Date32,
    months UInt8,
    multiple Float64,
    saved_at DateTime64(3, 'UTC'),
    saved_by String,
    plan String
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY (firm, rep_id, from_month, saved_at, saved_by);
{{distributed "plans" "cityHash64(firm)"}};
