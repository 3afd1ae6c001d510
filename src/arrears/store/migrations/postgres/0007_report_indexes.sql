-- Reports read only indexes (mirrors migrations/sqlite/0007_report_indexes.sql): index-only scans for the
-- aging report over open invoices and the bad-debt report over the ledger's bad-debt accounts.
DROP INDEX IF EXISTS invoices_open_aging;
CREATE INDEX invoices_aging_cover
    ON invoices (account_id, livemode, status, customer, currency) INCLUDE (due_date, finalized_at, amount_remaining);
CREATE INDEX invoices_open_due ON invoices (account_id, livemode, status, collection_method, due_date);
-- The scheduler's due-time probes, in the account scope every query carries.
CREATE INDEX invoices_scoped_next_payment_attempt ON invoices (account_id, livemode, next_payment_attempt)
    WHERE next_payment_attempt IS NOT NULL;
CREATE INDEX invoices_scoped_automatically_finalizes_at ON invoices (account_id, livemode, automatically_finalizes_at)
    WHERE automatically_finalizes_at IS NOT NULL;
CREATE INDEX ledger_entries_report_cover
    ON ledger_entries (account_id, livemode, account, created) INCLUDE (currency, customer, amount);
