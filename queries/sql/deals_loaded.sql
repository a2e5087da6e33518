-- How many deal versions a load stored: recorded ones, then inferred ones.
SELECT countIf(inferred = 0), countIf(inferred = 1) FROM deal_versions
WHERE firm = {firm:String} AND loaded_at = {loaded_at:DateTime64(6)}
