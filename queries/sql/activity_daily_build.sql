-- The daily rollup of the rows a load builds, partition by partition.
INSERT INTO {daily:Identifier} (firm, rep_id, kind, day, activities)
SELECT firm, rep_id, kind, toDate32(occurred_at) AS day, count() FROM {rows:Identifier}
GROUP BY firm, rep_id, kind, day
SETTINGS max_partitions_per_insert_block = 0
