-- Tables loads make for themselves (staging, new partitions, leases taken
-- over), with their owner and age, except those an unfinished load still needs.
SELECT name, comment, dateDiff('second', metadata_modification_time, now()) FROM system.tables
WHERE database = currentDatabase()
  AND (startsWith(name, '_load_') OR startsWith(name, '_new_') OR startsWith(name, '_lease_dead_'))
  AND name NOT IN (
    SELECT arrayJoin([any(rows_table), any(daily_table)]) FROM load_journal
    GROUP BY firm, kind, token HAVING countIf(phase = 'done') = 0)
