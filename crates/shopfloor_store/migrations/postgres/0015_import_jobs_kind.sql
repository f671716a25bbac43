-- What an import job imports (issue 18, ADR 0006): `ProductionOrder` for the order imports
-- queued before this migration, else the script noun of the master data (`Location`,
-- `Material`, `UnitOfMeasure`, `Shift`, `Person`, `Department`). The queue's size and
-- cancel functions of each module count and cancel only the rows of their own kind.
-- Mirrors migrations/sqlite/0015_import_jobs_kind.sql one-to-one (a test compares them).
ALTER TABLE import_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'ProductionOrder';
CREATE INDEX ix_import_jobs_kind ON import_jobs (kind);
