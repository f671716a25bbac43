-- The import queue (issue 9, ADR 0006): one job per imported file, one row per order in it.
-- A row is 'pending' with its data until the runner applies it, then holds its result.
-- Mirrors migrations/sqlite/0005_import_jobs.sql one-to-one (a test compares them). Several
-- instances share the queue: runners claim pending rows in write transactions, which hold the
-- write advisory lock, so no row is applied twice (src/postgres/import_queue.rs).
CREATE TABLE import_jobs (
    id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    permissions TEXT COLLATE "C",            -- JSON list of the caller's permissions; NULL: unrestricted
    format TEXT COLLATE "C" NOT NULL,
    total BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE TABLE import_job_rows (
    job_id TEXT COLLATE "C" NOT NULL,        -- import_jobs.id (rows are written before their job)
    row_number BIGINT NOT NULL,
    name TEXT COLLATE "C",
    status TEXT COLLATE "C" NOT NULL,        -- pending | created | updated | unchanged | error | cancelled
    data TEXT COLLATE "C",                   -- the row as JSON while pending
    order_id TEXT COLLATE "C",
    errors TEXT COLLATE "C",                 -- {field: [messages]} of an error row
    notes TEXT COLLATE "C",                  -- JSON list of what the row's file said that was not used
    PRIMARY KEY (job_id, row_number)
);

CREATE INDEX ix_import_job_rows_pending ON import_job_rows (job_id, row_number) WHERE status = 'pending';
CREATE INDEX ix_import_jobs_finished ON import_jobs (finished_at);
