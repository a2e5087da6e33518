-- The migration log: one row when a migration starts (dirty = 1) and one when it ends (dirty = 0).
CREATE TABLE IF NOT EXISTS {{local "schema_migrations"}} {{onCluster}} (
    version UInt32,
    name String,
    dirty UInt8,
    at DateTime64(9, 'UTC')
) ENGINE = {{engine "MergeTree"}}
ORDER BY (version, at);
{{distributed "schema_migrations" "version"}};
