-- Moves staged deal versions whose (deal_id, updated_at) is not stored yet, or
-- is stored only as an inferred version, which the recorded one replaces
-- (deals_superseded.sql then finds the inferred one to delete); FINAL keeps the
-- first row of a version repeated within the load.
-- A version without created_at (1970-01-01 stands for unknown) takes its
-- deal's first known time in the load: the earliest updated_at or closed_at of
-- its versions.
-- A deal the load brings exactly one version of, created before that version
-- was updated (and before it closed), and of which no other recorded version is stored, gets an
-- inferred version: open from its created_at in the reserved stage
-- '(unknown)', with no expected close date and amount 0 (unknown), built from
-- nothing the deal became later (its source, known from its creation, it keeps); the same file loaded again infers the same
-- version, which is then stored already.
INSERT INTO deal_versions (firm, deal_id, updated_at, rep_id, account_id, stage, status, amount, created_at, close_date, closed_at, inferred, source, loaded_at)
WITH staged AS (
    SELECT deal_id, updated_at, rep_id, account_id, stage, status, amount, close_date, closed_at, source,
           if(created_at = toDateTime64(0, 3, 'UTC'),
              min(least(updated_at, ifNull(closed_at, updated_at))) OVER (PARTITION BY deal_id),
              created_at) AS created,
           count() OVER (PARTITION BY deal_id) AS versions
    FROM {stage:Identifier} FINAL
),
stored AS (
    SELECT deal_id, updated_at, inferred FROM deal_versions
    WHERE firm = {firm:String} AND deal_id IN (SELECT deal_id FROM {stage:Identifier})
)
SELECT {firm:String}, deal_id, updated_at, rep_id, account_id, stage, status, amount, created, close_date, closed_at,
       toUInt8(0), source, {loaded_at:DateTime64(6)}
FROM staged
WHERE (deal_id, updated_at) NOT IN (SELECT deal_id, updated_at FROM stored WHERE inferred = 0)
UNION ALL
SELECT {firm:String}, deal_id, created, rep_id, account_id, '(unknown)', 'open', toDecimal64(0, 2), created, toDate32(0),
       CAST(NULL, 'Nullable(DateTime64(3, \'UTC\'))'), toUInt8(1), source, {loaded_at:DateTime64(6)}
FROM staged
WHERE versions = 1 AND created < updated_at AND (closed_at IS NULL OR created < closed_at)
  AND deal_id NOT IN (SELECT deal_id FROM stored
                      WHERE inferred = 0 AND (deal_id, updated_at) NOT IN (SELECT deal_id, updated_at FROM staged))
  AND (deal_id, created) NOT IN (SELECT deal_id, updated_at FROM stored)
-- One block, so one part: readers see all of the load's rows or none.
SETTINGS max_insert_threads = 1, min_insert_block_size_rows = 1000000000000, min_insert_block_size_bytes = 1000000000000000
