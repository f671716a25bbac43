-- Issue 18: a history event may name the person (personnel username) who did it — an operator
-- reporting at a shared terminal under the terminal's login. Older events name none.
-- Mirrors migrations/sqlite/0017_history_person.sql one-to-one (a test compares them).
ALTER TABLE history_events ADD COLUMN person TEXT COLLATE "C";
