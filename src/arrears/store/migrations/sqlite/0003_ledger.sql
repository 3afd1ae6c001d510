-- The bad-debt books: an append-only double-entry ledger (one row per line, debit positive), and the
-- invoice columns the aging report groups by.
CREATE TABLE ledger_entries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    entry TEXT NOT NULL,
    kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    invoice TEXT,
    customer TEXT,
    event TEXT,
    data TEXT NOT NULL
);
CREATE INDEX ledger_entries_invoice ON ledger_entries (invoice);
CREATE INDEX ledger_entries_account ON ledger_entries (account, created);
CREATE INDEX ledger_entries_created ON ledger_entries (created);

ALTER TABLE invoices ADD COLUMN amount_remaining INTEGER;
ALTER TABLE invoices ADD COLUMN finalized_at INTEGER;
UPDATE invoices SET amount_remaining = json_extract(data, '$.amount_remaining'),
                    finalized_at = json_extract(data, '$.status_transitions.finalized_at');
CREATE INDEX invoices_open_aging ON invoices (status, due_date, finalized_at);
