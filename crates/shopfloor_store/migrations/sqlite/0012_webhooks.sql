-- Webhooks and the delivery of history events to them (issue 20, ADR 0011). The secret is
-- stored as given: it keys the HMAC that signs each delivery, so it cannot be hashed; it is
-- never answered.
CREATE TABLE webhooks (
    id TEXT NOT NULL CONSTRAINT pk_webhooks PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    url TEXT NOT NULL,
    entities TEXT,
    actions TEXT,
    secret TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_webhooks_name ON webhooks (name_key);

-- Where delivery of each hook stands: its durable cursor along the history, the instance that
-- holds it (lease), its failures in a row and its pause.
CREATE TABLE webhook_cursors (
    webhook_id TEXT NOT NULL CONSTRAINT pk_webhook_cursors PRIMARY KEY,
    last_sequence INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    failing_since INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER,
    paused_reason TEXT,
    last_error TEXT
);

-- Each delivery attempt, for getWebhookDeliveries (the newest ones are kept).
CREATE TABLE webhook_deliveries (
    webhook_id TEXT NOT NULL,
    attempt_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    at INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (webhook_id, attempt_id)
);

-- Where a publisher with one cursor (the MQTT publisher) stands along the history, and which
-- instance publishes (a lease), so that instances sharing a database publish each event once.
CREATE TABLE follower_cursors (
    name TEXT NOT NULL CONSTRAINT pk_follower_cursors PRIMARY KEY,
    last_sequence INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER
);
