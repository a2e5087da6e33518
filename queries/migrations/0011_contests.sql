-- Sales contests: every saved version of a contest is kept (who saved it and when); the
-- latest version of each contest counts. to_day is the contest's last day, inclusive.
CREATE TABLE IF NOT EXISTS {{local "contest_versions"}} {{onCluster}} (
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
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY (firm, contest_id, saved_at);
{{distributed "contest_versions" "cityHash64(firm)"}};
