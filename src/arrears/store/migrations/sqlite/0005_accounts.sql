-- Accounts and API keys (only a key's SHA-256 is stored), and every account's data scoped: each table of
-- account data gets the owner's account_id and livemode, which the store adds to every query and sets on
-- every insert (store/sql.py). Rows written before accounts existed belong to the default account, which
-- open mode serves. Invoice numbers become unique per account and mode. Mirrors migrations/postgres.
CREATE TABLE accounts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    platform TEXT,                   -- the platform a connected account belongs to (Stripe-Account)
    data TEXT NOT NULL
);
CREATE INDEX accounts_platform ON accounts (platform);
INSERT INTO accounts (id, created, platform, data) VALUES ('acct_default', CAST(strftime('%s','now') AS INTEGER),
    NULL, json_object('id', 'acct_default', 'object', 'account', 'created', CAST(strftime('%s','now') AS INTEGER),
                      'name', 'Default account', 'platform', NULL));

CREATE TABLE api_keys (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,       -- hex SHA-256 of the whole key; the key itself is never stored
    account TEXT NOT NULL,
    created INTEGER NOT NULL,
    revoked INTEGER,                 -- when it was revoked
    data TEXT NOT NULL
);
CREATE INDEX api_keys_account ON api_keys (account, seq);


ALTER TABLE customers ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE customers ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX customers_scope ON customers (account_id, livemode, seq);

ALTER TABLE invoices ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE invoices ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE invoices SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX invoices_scope ON invoices (account_id, livemode, seq);

ALTER TABLE invoiceitems ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE invoiceitems ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE invoiceitems SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX invoiceitems_scope ON invoiceitems (account_id, livemode, seq);

ALTER TABLE balance_transactions ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE balance_transactions ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE balance_transactions SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX balance_transactions_scope ON balance_transactions (account_id, livemode, seq);

ALTER TABLE events ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE events ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE events SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX events_scope ON events (account_id, livemode, seq);

ALTER TABLE webhook_endpoints ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE webhook_endpoints ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_endpoints SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX webhook_endpoints_scope ON webhook_endpoints (account_id, livemode, seq);

ALTER TABLE webhook_deliveries ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE webhook_deliveries ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_deliveries SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX webhook_deliveries_scope ON webhook_deliveries (account_id, livemode, seq);

ALTER TABLE webhook_attempts ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE webhook_attempts ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_attempts SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX webhook_attempts_scope ON webhook_attempts (account_id, livemode, seq);

ALTER TABLE idempotency_keys ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE idempotency_keys ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE idempotency_keys SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX idempotency_keys_scope ON idempotency_keys (account_id, livemode, seq);

ALTER TABLE ledger_entries ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE ledger_entries ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE ledger_entries SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX ledger_entries_scope ON ledger_entries (account_id, livemode, seq);

ALTER TABLE test_clocks ADD COLUMN account_id TEXT NOT NULL DEFAULT 'acct_default';
ALTER TABLE test_clocks ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
UPDATE test_clocks SET livemode = 1 WHERE json_extract(data, '$.livemode') = 1;
CREATE INDEX test_clocks_scope ON test_clocks (account_id, livemode, seq);

-- Invoice numbers: unique per account and mode. SQLite cannot drop a column's UNIQUE constraint without
-- rebuilding the table, so the old column is renamed, emptied (NULLs never collide) and never written
-- again; number is a new column under the scoped unique index.
ALTER TABLE invoices RENAME COLUMN number TO number_unscoped;
ALTER TABLE invoices ADD COLUMN number TEXT;
UPDATE invoices SET number = number_unscoped, number_unscoped = NULL;
CREATE UNIQUE INDEX invoices_number ON invoices (account_id, livemode, number);
