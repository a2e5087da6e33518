-- How many deals of a load have a version without created_at.
SELECT uniqExact(deal_id) FROM {stage:Identifier} WHERE created_at = toDateTime64(0, 3, 'UTC')
