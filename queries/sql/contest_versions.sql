-- Every version of a firm's contests (of one contest when id is not empty), oldest first per contest;
-- a version stored twice appears once, and two saves of one millisecond with different content both.
SELECT contest_id, saved_at, saved_by, name, period, from_day, to_day, metric, teams, reps_see
FROM contest_versions
WHERE firm = {firm:String} AND ({id:String} = '' OR contest_id = {id:String})
ORDER BY contest_id, saved_at, saved_by, name, period, from_day, to_day, metric, teams, reps_see
LIMIT 1 BY contest_id, saved_at, saved_by, name, period, from_day, to_day, metric, teams, reps_see
