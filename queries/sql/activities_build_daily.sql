-- The daily rollup of one built (firm, month) partition, from the rows built
-- for it, after they are all written: one GROUP BY of the month costs about
-- half of what a view on the build table did, grouping every inserted block.
INSERT INTO {daily:Identifier} (firm, rep_id, kind, day, activities)
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() FROM {rows:Identifier}
WHERE firm = {firm:String} AND toYYYYMM(occurred_at) = {month:UInt32}
GROUP BY firm, rep_id, kind, day
