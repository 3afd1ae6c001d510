-- The bad-debt books: an append-only double-entry ledger (one row per line, debit positive), and the
-- invoice columns the aging report groups by. Mirrors migrations/sqlite/0003_ledger.sql.
CREATE TABLE ledger_entries (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    entry text NOT NULL,
    kind text NOT NULL,
    created bigint NOT NULL,
    account text NOT NULL,
    currency text NOT NULL,
    amount bigint NOT NULL,
    invoice text,
    customer text,
    event text,
    data text NOT NULL
);
CREATE INDEX ledger_entries_invoice ON ledger_entries (invoice);
CREATE INDEX ledger_entries_account ON ledger_entries (account, created);
CREATE INDEX ledger_entries_created ON ledger_entries (created);
ALTER TABLE ledger_entries ALTER COLUMN data SET STORAGE MAIN;
DO $$
BEGIN
    ALTER TABLE ledger_entries ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: ledger_entries.data keeps the default compression';
END $$;

ALTER TABLE invoices ADD COLUMN amount_remaining bigint;
ALTER TABLE invoices ADD COLUMN finalized_at bigint;
UPDATE invoices SET amount_remaining = (data::json ->> 'amount_remaining')::bigint,
                    finalized_at = (data::json -> 'status_transitions' ->> 'finalized_at')::bigint;
CREATE INDEX invoices_open_aging ON invoices (status, due_date, finalized_at);
