-- Two saves of one plan (or one contest) in the same millisecond are two versions. The tables are
-- ReplacingMergeTree: rows with equal sort keys merge into one, which is right for an insert retried with
-- the same content and wrong for two different saves that share a millisecond (two tabs, two scripts).
-- The sort keys take a hash of each version's content, written by the inserts (a column computed by the
-- table cannot join a sort key), so a merge keeps both; rows stored before have 0 there.
ALTER TABLE {{local "plans"}} {{onCluster}} ADD COLUMN IF NOT EXISTS plan_hash UInt64,
    MODIFY ORDER BY (firm, rep_id, from_month, saved_at, saved_by, plan_hash);
{{if .Cluster}}ALTER TABLE `plans` {{onCluster}} ADD COLUMN IF NOT EXISTS plan_hash UInt64;{{end}}
ALTER TABLE {{local "contest_versions"}} {{onCluster}} ADD COLUMN IF NOT EXISTS version_hash UInt64,
    MODIFY ORDER BY (firm, contest_id, saved_at, version_hash);
{{if .Cluster}}ALTER TABLE `contest_versions` {{onCluster}} ADD COLUMN IF NOT EXISTS version_hash UInt64;{{end}}
