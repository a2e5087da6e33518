-- Forecast calls: every submission of a rep's call (rep_id set) or a manager's team call (rep_id
-- empty) for a period, kept as it was sent, never changed; the latest submitted_at of a rep or
-- team and period counts. team is the rep's team when the rep's call was submitted.
CREATE TABLE IF NOT EXISTS {{local "calls"}} {{onCluster}} (
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
) ENGINE = {{engine "ReplacingMergeTree"}}
PARTITION BY toYear(period_start)
ORDER BY (firm, period_start, period, rep_id, team, submitted_at, submitted_by);
{{distributed "calls" "cityHash64(firm)"}};
