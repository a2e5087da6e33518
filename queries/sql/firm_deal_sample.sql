-- About one in {every} of a firm's deal ids known at as_of (by hash, so any order of loading gives
-- the same sample), with their versions: where to cut the deals into ranges that are read one at a
-- time, and about how many versions there are in all.
SELECT deal_id, count() AS versions
FROM (
    SELECT deal_id
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)} AND cityHash64(deal_id) % {every:UInt64} = 0
    LIMIT 1 BY deal_id, updated_at
)
GROUP BY deal_id
ORDER BY deal_id
