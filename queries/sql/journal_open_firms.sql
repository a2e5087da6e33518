-- The firms and kinds with a load that began committing and did not finish.
SELECT DISTINCT firm, kind FROM (
    SELECT firm, kind FROM load_journal
    GROUP BY firm, kind, token
    HAVING countIf(phase = 'done') = 0)
