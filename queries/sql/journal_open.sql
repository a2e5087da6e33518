-- The loads of a firm and kind that began swapping partitions and did not finish.
SELECT token, any(months), any(rows_table), any(daily_table) FROM load_journal
WHERE firm = {firm:String} AND kind = {kind:String}
GROUP BY token
HAVING countIf(phase = 'done') = 0
