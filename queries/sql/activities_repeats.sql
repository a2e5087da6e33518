-- How many staged rows of one bucket of identities repeat an activity_id
-- staged before them: 0 when each id of the bucket is staged once, the
-- usual case, which then needs no comparison of contents. Ids are counted by
-- a 64-bit hash (a set of numbers is several times smaller and faster than a
-- set of strings); a collision only sends the bucket on to the exact check.
SELECT count() - uniqExact(h) FROM (
    SELECT cityHash64(activity_id) AS h FROM {stage:Identifier}
    WHERE h % {buckets:UInt64} = {bucket:UInt64})
