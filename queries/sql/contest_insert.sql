-- Stores one version of a contest; every version is kept (version_hash tells two saves of one
-- millisecond apart, see migration 0013).
INSERT INTO contest_versions (firm, contest_id, saved_at, saved_by, name, period, from_day, to_day, metric, teams, reps_see, version_hash)
SELECT {firm:String}, {id:String}, {saved_at:DateTime64(3)}, {saved_by:String}, {name:String}, {period:String},
       {from:Date32}, {to:Date32}, {metric:String}, {teams:Array(String)}, {reps_see:UInt8},
       cityHash64({saved_by:String}, {name:String}, {period:String}, {from:Date32}, {to:Date32}, {metric:String}, {teams:Array(String)}, {reps_see:UInt8})
