-- The import queue (issue 9, ADR 0006): one job per imported file, one row per order in it.
-- A row is 'pending' with its data until the runner applies it, then holds its result.
CREATE TABLE import_jobs (
    id TEXT NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    permissions TEXT,            -- JSON list of the caller's permissions; NULL: unrestricted
    format TEXT NOT NULL,
    total INTEGER NOT NULL,
    finished_at INTEGER
);

CREATE TABLE import_job_rows (
    job_id TEXT NOT NULL,        -- import_jobs.id (rows are written before their job)
    row_number INTEGER NOT NULL,
    name TEXT,
    status TEXT NOT NULL,        -- pending | created | updated | unchanged | error | cancelled
    data TEXT,                   -- the row as JSON while pending
    order_id TEXT,
    errors TEXT,                 -- {field: [messages]} of an error row
    notes TEXT,                  -- JSON list of what the row's file said that was not used
    PRIMARY KEY (job_id, row_number)
);

CREATE INDEX ix_import_job_rows_pending ON import_job_rows (job_id, row_number) WHERE status = 'pending';
CREATE INDEX ix_import_jobs_finished ON import_jobs (finished_at);
