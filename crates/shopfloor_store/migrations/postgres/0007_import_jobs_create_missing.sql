-- importProductionOrders(…, createMissing=True) (issue 9, ADR 0006): the job remembers the
-- option, so that its rows create missing units and materials when the runner applies them.
-- Mirrors migrations/sqlite/0007_import_jobs_create_missing.sql one-to-one (a test compares them).
ALTER TABLE import_jobs ADD COLUMN create_missing BIGINT NOT NULL DEFAULT 0;
