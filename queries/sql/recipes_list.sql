-- Every stored fit of a firm, newest first; a fit stored twice appears once.
SELECT firm, grain, fitted_at, as_of, data_from, data_to, method, observations, cv_wape, recipe
FROM recipes
WHERE firm = {firm:String}
ORDER BY fitted_at DESC, grain
LIMIT 1 BY grain, fitted_at
