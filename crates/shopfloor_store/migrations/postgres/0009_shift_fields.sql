-- The shift fields of the original scripting API (issue 18, docs/API.md "shift").
-- Mirrors migrations/sqlite/0009_shift_fields.sql one-to-one (a test compares them).
ALTER TABLE shifts ADD COLUMN shift_schedule_name TEXT;
ALTER TABLE shifts ADD COLUMN shift_schedule_source TEXT NOT NULL DEFAULT 'IGNITION_SCHEDULE';
ALTER TABLE shifts ADD COLUMN current_record_id TEXT COLLATE "C" CONSTRAINT fk_shifts_current_record REFERENCES shift_records (id);
ALTER TABLE shifts ADD COLUMN running_conflict_strategy TEXT NOT NULL DEFAULT 'STOP_PREVIOUS';
ALTER TABLE shifts ADD COLUMN start_trigger_expression TEXT;
ALTER TABLE shifts ADD COLUMN start_trigger_type TEXT NOT NULL DEFAULT 'RISING_EDGE';
ALTER TABLE shifts ADD COLUMN stop_trigger_expression TEXT;
ALTER TABLE shifts ADD COLUMN stop_trigger_type TEXT NOT NULL DEFAULT 'FALLING_EDGE';
UPDATE shifts SET current_record_id = (
    SELECT r.id FROM shift_records r WHERE r.shift_id = shifts.id AND r.status = 'ACTIVE'
    ORDER BY r.start_date DESC, r.id DESC LIMIT 1
);
