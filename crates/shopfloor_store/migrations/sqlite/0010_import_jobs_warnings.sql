-- The warnings of an import file (issue 22, ADR 0006): what the file names that the import does
-- not know (a CSV file's unknown columns), a JSON list shown with the job; NULL when none.
ALTER TABLE import_jobs ADD COLUMN warnings TEXT;
