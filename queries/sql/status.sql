-- Per kind: the exact number of stored rows (duplicates not counted) and the
-- first and last time they cover.
SELECT 'reps' AS kind, count() AS rows,
       if(rows = 0, NULL, min(toDateTime64(loaded_at, 3, 'UTC'))) AS first,
       if(rows = 0, NULL, max(toDateTime64(loaded_at, 3, 'UTC'))) AS last
FROM reps FINAL WHERE firm = {firm:String}
UNION ALL
SELECT 'quotas', count(),
       if(count() = 0, NULL, toDateTime64(min(period_start), 3, 'UTC')),
       if(count() = 0, NULL, toDateTime64(max(period_start), 3, 'UTC'))
FROM quotas FINAL WHERE firm = {firm:String}
UNION ALL
SELECT 'stages', count(),
       if(count() = 0, NULL, min(toDateTime64(loaded_at, 3, 'UTC'))),
       if(count() = 0, NULL, max(toDateTime64(loaded_at, 3, 'UTC')))
FROM stages FINAL WHERE firm = {firm:String}
UNION ALL
SELECT 'activities',
       (SELECT sum(activities) FROM activity_daily WHERE firm = {firm:String}),
       if(count() = 0, NULL, min(occurred_at)),
       if(count() = 0, NULL, max(occurred_at))
FROM activities WHERE firm = {firm:String}
UNION ALL
SELECT 'deals', count(),
       if(count() = 0, NULL, min(updated_at)),
       if(count() = 0, NULL, max(updated_at))
FROM deal_versions FINAL WHERE firm = {firm:String}
