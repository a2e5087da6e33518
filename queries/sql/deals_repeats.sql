-- How many staged rows of one bucket of identities repeat a deal version
-- staged before them: 0 when each version of the bucket is staged once, the
-- usual case, which then needs no comparison of contents. Versions are
-- counted by a 64-bit hash; a collision only sends the bucket on to the exact check.
SELECT count() - uniqExact(cityHash64(deal_id, updated_at)) FROM {stage:Identifier}
WHERE cityHash64(deal_id) % {buckets:UInt64} = {bucket:UInt64}
