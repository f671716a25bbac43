-- Roles of the original scripting API (system.mes.role, docs/adr/0015-role-module.md).
-- Mirrors migrations/sqlite/0016_role_security_levels.sql one-to-one (a test compares them).
ALTER TABLE roles ADD COLUMN security_levels TEXT COLLATE "C";
ALTER TABLE roles ADD COLUMN role_requirement_type TEXT COLLATE "C" NOT NULL DEFAULT 'ANY_OF';
UPDATE roles SET security_levels = '[]';
