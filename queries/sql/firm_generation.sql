-- A firm's commit generation, which readers check before and after a read:
-- how many journal rows its loads wrote, and how many of its commits began
-- and did not finish.
SELECT sum(n), countIf(done = 0) FROM (
    SELECT count() AS n, countIf(phase = 'done') AS done FROM load_journal
    WHERE firm = {firm:String}
    GROUP BY kind, token)
