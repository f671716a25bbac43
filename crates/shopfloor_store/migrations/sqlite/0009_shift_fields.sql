-- The shift fields of the original scripting API (issue 18, docs/API.md "shift"): where the
-- timings come from, what starting does while another shift runs, the trigger expressions
-- (stored, not evaluated), and the shift's ACTIVE record, kept by the shift service.
ALTER TABLE shifts ADD COLUMN shift_schedule_name TEXT;
ALTER TABLE shifts ADD COLUMN shift_schedule_source TEXT NOT NULL DEFAULT 'IGNITION_SCHEDULE';
ALTER TABLE shifts ADD COLUMN current_record_id TEXT CONSTRAINT fk_shifts_current_record REFERENCES shift_records (id);
ALTER TABLE shifts ADD COLUMN running_conflict_strategy TEXT NOT NULL DEFAULT 'STOP_PREVIOUS';
ALTER TABLE shifts ADD COLUMN start_trigger_expression TEXT;
ALTER TABLE shifts ADD COLUMN start_trigger_type TEXT NOT NULL DEFAULT 'RISING_EDGE';
ALTER TABLE shifts ADD COLUMN stop_trigger_expression TEXT;
ALTER TABLE shifts ADD COLUMN stop_trigger_type TEXT NOT NULL DEFAULT 'FALLING_EDGE';
-- Records that were ACTIVE before this migration are their shift's current one.
UPDATE shifts SET current_record_id = (
    SELECT r.id FROM shift_records r WHERE r.shift_id = shifts.id AND r.status = 'ACTIVE'
    ORDER BY r.start_date DESC, r.id DESC LIMIT 1
);
