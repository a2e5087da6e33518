-- A firm's commit generation, which readers check after each read: how many
-- journal rows its loads wrote, and how many of its commits began and did
-- not finish (a commit is journalled 'swap' first and 'done' once at the end;
-- a commit finished by another process adds 'redo' rows).
SELECT count(), toUInt64(greatest(0, toInt64(uniqExactIf(token, phase = 'swap')) - toInt64(uniqExactIf(token, phase = 'done'))))
FROM load_journal
WHERE firm = {firm:String}
