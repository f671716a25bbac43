-- Users, roles and API tokens / web sessions (issue 4). Secrets are stored only as hashes:
-- argon2id PHC strings for passwords, SHA-256 hex for tokens, sessions and CSRF tokens.

CREATE TABLE roles (
    id TEXT NOT NULL CONSTRAINT pk_roles PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    permissions TEXT,
    built_in INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_roles_name ON roles (name_key);

CREATE TABLE users (
    id TEXT NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    display_name TEXT,
    roles TEXT,
    password_hash TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_users_name ON users (name_key);

CREATE TABLE api_tokens (
    id TEXT NOT NULL CONSTRAINT pk_api_tokens PRIMARY KEY,
    user_id TEXT NOT NULL CONSTRAINT fk_api_tokens_user REFERENCES users (id),
    label TEXT,
    kind TEXT NOT NULL,
    expires_date INTEGER,
    last_used_date INTEGER,
    revoked_date INTEGER,
    token_hash TEXT NOT NULL,
    csrf_hash TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);
