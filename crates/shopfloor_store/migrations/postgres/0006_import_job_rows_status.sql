-- getImportJob (ADR 0006, addendum): a job's counts are one GROUP BY status and its rows come a
-- page at a time, optionally of one status. This index answers the counts from the index alone
-- and a status page by seeking to it, instead of reading every row of the job.
-- Mirrors migrations/sqlite/0006_import_job_rows_status.sql one-to-one (a test compares them).
CREATE INDEX ix_import_job_rows_status ON import_job_rows (job_id, status, row_number);
