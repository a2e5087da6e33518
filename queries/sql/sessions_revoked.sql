-- The dashboard sessions ended by logout that would not have expired by the given time.
SELECT id, max(expires)
FROM session_revocations
WHERE expires > {now:DateTime64(3)}
GROUP BY id
