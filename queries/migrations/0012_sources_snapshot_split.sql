-- Deal versions keep the deal's source or type (inbound, referral, ...) when the export has one; ''
-- for none, and in every row stored before.
ALTER TABLE {{local "deal_versions"}} {{onCluster}} ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT '' AFTER inferred;
{{if .Cluster}}ALTER TABLE `deal_versions` {{onCluster}} ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT '' AFTER inferred;{{end}}
-- Forecast snapshots keep the forecast's split: closed won + from_pipeline + from_new_business =
-- forecast (the part owed to deals open at the as-of time and to deals not yet open). Rows stored
-- before have no split: nan stands for unknown there.
ALTER TABLE {{local "forecast_snapshots"}} {{onCluster}} ADD COLUMN IF NOT EXISTS from_pipeline Float64 DEFAULT nan AFTER forecast;
ALTER TABLE {{local "forecast_snapshots"}} {{onCluster}} ADD COLUMN IF NOT EXISTS from_new_business Float64 DEFAULT nan AFTER from_pipeline;
{{if .Cluster}}ALTER TABLE `forecast_snapshots` {{onCluster}} ADD COLUMN IF NOT EXISTS from_pipeline Float64 DEFAULT nan AFTER forecast;
ALTER TABLE `forecast_snapshots` {{onCluster}} ADD COLUMN IF NOT EXISTS from_new_business Float64 DEFAULT nan AFTER from_pipeline;{{end}}
