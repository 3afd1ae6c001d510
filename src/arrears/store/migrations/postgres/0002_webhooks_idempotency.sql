-- Webhook endpoints, the deliveries the outbox fans out to them, every delivery attempt, and the
-- responses stored for Idempotency-Keys. Mirrors migrations/sqlite/0002_webhooks_idempotency.sql.
CREATE TABLE webhook_endpoints (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    status text NOT NULL,
    data text NOT NULL
);

CREATE TABLE webhook_deliveries (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    event text NOT NULL,
    endpoint text NOT NULL,
    created bigint NOT NULL,
    status text NOT NULL,            -- pending | succeeded | failed
    next_attempt_at bigint,          -- when pending: due time (pushed forward while a worker holds it)
    data text NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event);

CREATE TABLE webhook_attempts (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    delivery text NOT NULL,
    event text NOT NULL,
    endpoint text NOT NULL,
    created bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event, seq);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint, seq);

CREATE TABLE idempotency_keys (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts', 'idempotency_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET STORAGE MAIN', t);
    END LOOP;
    BEGIN
        FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts', 'idempotency_keys']
        LOOP
            EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET COMPRESSION lz4', t);
        END LOOP;
    EXCEPTION WHEN feature_not_supported OR syntax_error THEN
        RAISE NOTICE 'lz4 is not available: data columns keep the default compression';
    END;
END $$;
