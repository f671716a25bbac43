-- The warnings of an import file (issue 22, ADR 0006): what the file names that the import does
-- not know (a CSV file's unknown columns), a JSON list shown with the job; NULL when none.
-- Mirrors migrations/sqlite/0010_import_jobs_warnings.sql one-to-one (a test compares them).
ALTER TABLE import_jobs ADD COLUMN warnings TEXT;
