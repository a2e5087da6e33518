-- The latest state of each logged migration.
SELECT version, argMax(dirty, at) AS dirty
FROM schema_migrations
GROUP BY version
ORDER BY version
