-- The kinds of a firm with a load that began committing and did not finish.
SELECT DISTINCT kind FROM (
    SELECT kind FROM load_journal
    WHERE firm = {firm:String}
    GROUP BY kind, token
    HAVING countIf(phase = 'done') = 0)
