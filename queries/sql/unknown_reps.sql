-- Staged rows (repeats within the load counted once), and distinct reps,
-- whose rep_id is not among the firm's loaded reps.
SELECT count(), uniqExact(rep_id)
FROM {stage:Identifier} FINAL
WHERE rep_id NOT IN (SELECT rep_id FROM reps WHERE firm = {firm:String})
