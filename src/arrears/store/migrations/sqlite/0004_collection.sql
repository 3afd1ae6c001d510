-- Automatic collection: the invoice times the scheduler looks for, test clocks, and the scheduler's
-- high-water marks (the time up to which overdue events have been sent, per clock).
ALTER TABLE invoices ADD COLUMN next_payment_attempt INTEGER;
ALTER TABLE invoices ADD COLUMN automatically_finalizes_at INTEGER;
ALTER TABLE invoices ADD COLUMN test_clock TEXT;
UPDATE invoices SET next_payment_attempt = json_extract(data, '$.next_payment_attempt'),
                    automatically_finalizes_at = json_extract(data, '$.automatically_finalizes_at'),
                    test_clock = json_extract(data, '$.test_clock');
CREATE INDEX invoices_next_payment_attempt ON invoices (next_payment_attempt) WHERE next_payment_attempt IS NOT NULL;
CREATE INDEX invoices_automatically_finalizes_at ON invoices (automatically_finalizes_at)
    WHERE automatically_finalizes_at IS NOT NULL;
CREATE INDEX invoices_test_clock ON invoices (test_clock) WHERE test_clock IS NOT NULL;

ALTER TABLE customers ADD COLUMN test_clock TEXT;
UPDATE customers SET test_clock = json_extract(data, '$.test_clock');

CREATE TABLE test_clocks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE scheduler_marks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
);
