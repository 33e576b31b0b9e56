-- A policy names the business calendar its targets count in.
ALTER TABLE sla_policies ADD COLUMN calendar TEXT NOT NULL DEFAULT '24/7';
