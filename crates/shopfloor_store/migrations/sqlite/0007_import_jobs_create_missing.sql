-- importProductionOrders(…, createMissing=True) (issue 9, ADR 0006): the job remembers the
-- option, so that its rows create missing units and materials when the runner applies them.
ALTER TABLE import_jobs ADD COLUMN create_missing INTEGER NOT NULL DEFAULT 0;
