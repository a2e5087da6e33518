-- Dashboard sessions ended by logout, kept until they would have expired anyway, so a restarted
-- server with the same session key still refuses them (reads skip expired rows; they are few).
-- id is a hash of the session's nonce.
CREATE TABLE IF NOT EXISTS {{local "session_revocations"}} {{onCluster}} (
    id String,
    expires DateTime64(3, 'UTC'),
    revoked_at DateTime64(3, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY id;
{{distributed "session_revocations" "cityHash64(id)"}};
