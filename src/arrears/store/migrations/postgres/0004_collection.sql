-- Automatic collection: the invoice times the scheduler looks for, test clocks, and the scheduler's
-- high-water marks. Mirrors migrations/sqlite/0004_collection.sql.
ALTER TABLE invoices ADD COLUMN next_payment_attempt bigint;
ALTER TABLE invoices ADD COLUMN automatically_finalizes_at bigint;
ALTER TABLE invoices ADD COLUMN test_clock text;
UPDATE invoices SET next_payment_attempt = (data::json ->> 'next_payment_attempt')::bigint,
                    automatically_finalizes_at = (data::json ->> 'automatically_finalizes_at')::bigint,
                    test_clock = data::json ->> 'test_clock';
CREATE INDEX invoices_next_payment_attempt ON invoices (next_payment_attempt) WHERE next_payment_attempt IS NOT NULL;
CREATE INDEX invoices_automatically_finalizes_at ON invoices (automatically_finalizes_at)
    WHERE automatically_finalizes_at IS NOT NULL;
CREATE INDEX invoices_test_clock ON invoices (test_clock) WHERE test_clock IS NOT NULL;

ALTER TABLE customers ADD COLUMN test_clock text;
UPDATE customers SET test_clock = data::json ->> 'test_clock';

CREATE TABLE test_clocks (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    data text NOT NULL
);
ALTER TABLE test_clocks ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE scheduler_marks (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    data text NOT NULL
);
ALTER TABLE scheduler_marks ALTER COLUMN data SET STORAGE MAIN;

DO $$
BEGIN
    ALTER TABLE test_clocks ALTER COLUMN data SET COMPRESSION lz4;
    ALTER TABLE scheduler_marks ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: data columns keep the default compression';
END $$;
