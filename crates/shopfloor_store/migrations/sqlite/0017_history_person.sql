-- Issue 18: a history event may name the person (personnel username) who did it — an operator
-- reporting at a shared terminal under the terminal's login. Older events name none.
ALTER TABLE history_events ADD COLUMN person TEXT;
