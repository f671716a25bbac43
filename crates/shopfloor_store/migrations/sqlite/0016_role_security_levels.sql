-- Roles of the original scripting API (system.mes.role, docs/adr/0015-role-module.md): a role
-- is also held by every user whose security levels meet it — the listed levels, all of them
-- (ALL_OF) or any (ANY_OF). Existing roles list none, so they are held as before: by the users
-- they are assigned to.
ALTER TABLE roles ADD COLUMN security_levels TEXT;
ALTER TABLE roles ADD COLUMN role_requirement_type TEXT NOT NULL DEFAULT 'ANY_OF';
UPDATE roles SET security_levels = '[]';
