-- Users, roles and API tokens / web sessions (issue 4). Secrets are stored only as hashes:
-- argon2id PHC strings for passwords, SHA-256 hex for tokens, sessions and CSRF tokens.

CREATE TABLE roles (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_roles PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    permissions TEXT COLLATE "C",
    built_in BIGINT NOT NULL DEFAULT 0,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_roles_name ON roles (name_key);

CREATE TABLE users (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C",
    roles TEXT COLLATE "C",
    password_hash TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_users_name ON users (name_key);

CREATE TABLE api_tokens (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_api_tokens PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_api_tokens_user REFERENCES users (id),
    label TEXT COLLATE "C",
    kind TEXT COLLATE "C" NOT NULL,
    expires_date BIGINT,
    last_used_date BIGINT,
    revoked_date BIGINT,
    token_hash TEXT COLLATE "C" NOT NULL,
    csrf_hash TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);
