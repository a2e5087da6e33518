-- How many quotas a load stored.
SELECT count() FROM quotas
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
