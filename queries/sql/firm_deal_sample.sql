-- About one in {every} of a firm's deal ids known at as_of (by hash, so any order of loading gives
-- the same sample): where to cut the deals into ranges that are read one at a time.
SELECT DISTINCT deal_id
FROM deal_versions
WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)} AND cityHash64(deal_id) % {every:UInt64} = 0
ORDER BY deal_id
