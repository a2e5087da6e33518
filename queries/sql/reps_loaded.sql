-- How many reps a load stored.
SELECT count() FROM reps
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
