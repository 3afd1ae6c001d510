-- Webhook endpoints, the deliveries the outbox fans out to them, every delivery attempt, and the
-- responses stored for Idempotency-Keys.
CREATE TABLE webhook_endpoints (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    created INTEGER NOT NULL,
    status TEXT NOT NULL,            -- pending | succeeded | failed
    next_attempt_at INTEGER,         -- when pending: due time (pushed forward while a worker holds it)
    data TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event);

CREATE TABLE webhook_attempts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    delivery TEXT NOT NULL,
    event TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event, seq);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint, seq);

CREATE TABLE idempotency_keys (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
