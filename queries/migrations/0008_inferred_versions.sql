-- Inferred deal versions: a deal known only by its latest row (a CRM snapshot
-- export) is stored with one more version, at its created_at, open, in the
-- reserved stage '(unknown)', with no expected close date (close_date
-- 1970-01-01, which stands for unknown in every row) and amount 0 (unknown):
-- nothing of its later outcome. inferred = 1 marks it; rows stored before are
-- all recorded versions.
ALTER TABLE {{local "deal_versions"}} {{onCluster}} ADD COLUMN IF NOT EXISTS inferred UInt8 DEFAULT 0 AFTER closed_at;
{{if .Cluster}}ALTER TABLE `deal_versions` {{onCluster}} ADD COLUMN IF NOT EXISTS inferred UInt8 DEFAULT 0 AFTER closed_at;{{end}}
