-- The firms with a load that began swapping partitions and did not finish.
SELECT firm FROM load_journal
GROUP BY firm, kind, token
HAVING countIf(phase = 'done') = 0
