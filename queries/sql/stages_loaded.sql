-- How many stages a load stored.
SELECT count() FROM stages
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
