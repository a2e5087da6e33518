-- The daily rollup of a firm's stored activities in some months, to repair a
-- rollup left behind by a load that died between its swaps.
INSERT INTO {daily:Identifier} (firm, rep_id, kind, day, activities)
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() FROM activities
WHERE firm = {firm:String} AND has({months:Array(UInt32)}, toYYYYMM(occurred_at))
GROUP BY firm, rep_id, kind, day
SETTINGS max_partitions_per_insert_block = 0
