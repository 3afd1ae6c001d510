-- Accounts and API keys (only a key's SHA-256 is stored), and every account's data scoped by account_id
-- and livemode. Mirrors migrations/sqlite/0005_accounts.sql.
CREATE TABLE accounts (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    platform text,
    data text NOT NULL
);
CREATE INDEX accounts_platform ON accounts (platform);
INSERT INTO accounts (id, created, platform, data) VALUES ('acct_default', extract(epoch FROM now())::bigint,
    NULL, json_build_object('id', 'acct_default', 'object', 'account', 'created', extract(epoch FROM now())::bigint,
                            'name', 'Default account', 'platform', NULL)::text);

CREATE TABLE api_keys (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    hash text NOT NULL UNIQUE,
    account text NOT NULL,
    created bigint NOT NULL,
    revoked bigint,
    data text NOT NULL
);
CREATE INDEX api_keys_account ON api_keys (account, seq);
ALTER TABLE accounts ALTER COLUMN data SET STORAGE MAIN;
ALTER TABLE api_keys ALTER COLUMN data SET STORAGE MAIN;
DO $$
BEGIN
    ALTER TABLE accounts ALTER COLUMN data SET COMPRESSION lz4;
    ALTER TABLE api_keys ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: accounts.data and api_keys.data keep the default compression';
END $$;


ALTER TABLE customers ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE customers SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX customers_scope ON customers (account_id, livemode, seq);

ALTER TABLE invoices ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE invoices SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX invoices_scope ON invoices (account_id, livemode, seq);

ALTER TABLE invoiceitems ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE invoiceitems SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX invoiceitems_scope ON invoiceitems (account_id, livemode, seq);

ALTER TABLE balance_transactions ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE balance_transactions SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX balance_transactions_scope ON balance_transactions (account_id, livemode, seq);

ALTER TABLE events ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE events SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX events_scope ON events (account_id, livemode, seq);

ALTER TABLE webhook_endpoints ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE webhook_endpoints SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX webhook_endpoints_scope ON webhook_endpoints (account_id, livemode, seq);

ALTER TABLE webhook_deliveries ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE webhook_deliveries SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX webhook_deliveries_scope ON webhook_deliveries (account_id, livemode, seq);

ALTER TABLE webhook_attempts ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE webhook_attempts SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX webhook_attempts_scope ON webhook_attempts (account_id, livemode, seq);

ALTER TABLE idempotency_keys ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE idempotency_keys SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX idempotency_keys_scope ON idempotency_keys (account_id, livemode, seq);

ALTER TABLE ledger_entries ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE ledger_entries SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX ledger_entries_scope ON ledger_entries (account_id, livemode, seq);

ALTER TABLE test_clocks ADD COLUMN account_id text NOT NULL DEFAULT 'acct_default',
    ADD COLUMN livemode boolean NOT NULL DEFAULT false;
UPDATE test_clocks SET livemode = true WHERE data::json ->> 'livemode' = 'true';
CREATE INDEX test_clocks_scope ON test_clocks (account_id, livemode, seq);

-- Invoice numbers: unique per account and mode. The old column is retired as on SQLite (same schema on
-- both backends), and its global unique constraint dropped.
ALTER TABLE invoices RENAME COLUMN number TO number_unscoped;
ALTER TABLE invoices DROP CONSTRAINT invoices_number_key;
ALTER TABLE invoices ADD COLUMN number text;
UPDATE invoices SET number = number_unscoped, number_unscoped = NULL;
CREATE UNIQUE INDEX invoices_number ON invoices (account_id, livemode, number);
