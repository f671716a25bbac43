-- Webhooks and the delivery of history events to them (issue 20, ADR 0011). The secret is
-- stored as given: it keys the HMAC that signs each delivery, so it cannot be hashed; it is
-- never answered.
CREATE TABLE webhooks (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_webhooks PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    url TEXT COLLATE "C" NOT NULL,
    entities TEXT COLLATE "C",
    actions TEXT COLLATE "C",
    secret TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_webhooks_name ON webhooks (name_key);

-- Where delivery of each hook stands: its durable cursor along the history, the instance that
-- holds it (lease), its failures in a row and its pause.
CREATE TABLE webhook_cursors (
    webhook_id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_webhook_cursors PRIMARY KEY,
    last_sequence BIGINT NOT NULL,
    lease_owner TEXT COLLATE "C",
    lease_until BIGINT,
    failing_since BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    next_attempt BIGINT,
    paused_reason TEXT COLLATE "C",
    last_error TEXT COLLATE "C"
);

-- Each delivery attempt, for getWebhookDeliveries (the newest ones are kept).
CREATE TABLE webhook_deliveries (
    webhook_id TEXT COLLATE "C" NOT NULL,
    attempt_id BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status BIGINT,
    error TEXT COLLATE "C",
    duration_ms BIGINT NOT NULL,
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (webhook_id, attempt_id)
);

-- Where a publisher with one cursor (the MQTT publisher) stands along the history, and which
-- instance publishes (a lease), so that instances sharing a database publish each event once.
CREATE TABLE follower_cursors (
    name TEXT COLLATE "C" NOT NULL CONSTRAINT pk_follower_cursors PRIMARY KEY,
    last_sequence BIGINT NOT NULL,
    lease_owner TEXT COLLATE "C",
    lease_until BIGINT
);
