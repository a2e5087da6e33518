-- How many deal versions a load stored.
SELECT count() FROM deal_versions
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
