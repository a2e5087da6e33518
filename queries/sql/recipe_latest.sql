-- The recipe of a firm and grain fitted on the data known at the latest as_of <= the given time
-- (the newest fit among equals); a fit stored twice appears once.
SELECT firm, grain, fitted_at, as_of, data_from, data_to, method, observations, cv_wape, recipe
FROM recipes
WHERE firm = {firm:String} AND grain = {grain:String} AND as_of <= {as_of:DateTime64(3)}
ORDER BY as_of DESC, fitted_at DESC
LIMIT 1
