-- The first schema: one table per object kind, each with insertion order (seq), the id, the indexed
-- columns of store/tables.py and the whole object as JSON text (Stripe's key order kept).
-- Mirrors migrations/sqlite/0001_init.sql.
CREATE TABLE customers (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    email text,
    name text,
    phone text,
    data text NOT NULL
);
CREATE INDEX customers_email ON customers (email, seq);
CREATE INDEX customers_created ON customers (created);

CREATE TABLE invoices (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    customer text,
    status text NOT NULL,
    collection_method text,
    created bigint NOT NULL,
    due_date bigint,
    number text UNIQUE,
    currency text,
    total bigint,
    receipt_number text,
    subscription text,
    last_finalization_error_code text,
    last_finalization_error_type text,
    data text NOT NULL
);
CREATE INDEX invoices_customer ON invoices (customer, seq);
CREATE INDEX invoices_status ON invoices (status, seq);
CREATE INDEX invoices_created ON invoices (created);
CREATE INDEX invoices_due_date ON invoices (due_date);

CREATE TABLE invoiceitems (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    customer text NOT NULL,
    invoice text,
    created bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX invoiceitems_customer ON invoiceitems (customer, invoice, seq);
CREATE INDEX invoiceitems_invoice ON invoiceitems (invoice, seq);

CREATE TABLE balance_transactions (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    customer text NOT NULL,
    invoice text,
    created bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX balance_transactions_customer ON balance_transactions (customer, seq);

-- The outbox: events are written in the transaction of the change they describe.
CREATE TABLE events (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    type text NOT NULL,
    created bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_created ON events (created);

-- Documents stay in the row (STORAGE MAIN) and are compressed with lz4 where the server was built with
-- it (PostgreSQL 14+): both measurably cheaper per write than out-of-line pglz TOAST
-- (shared/reference/ceilings.md §3).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'invoices', 'invoiceitems', 'balance_transactions', 'events'] LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET STORAGE MAIN', t);
    END LOOP;
    BEGIN
        FOREACH t IN ARRAY ARRAY['customers', 'invoices', 'invoiceitems', 'balance_transactions', 'events'] LOOP
            EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET COMPRESSION lz4', t);
        END LOOP;
    EXCEPTION WHEN feature_not_supported OR syntax_error THEN
        RAISE NOTICE 'lz4 is not available: data columns keep the default compression';
    END;
END $$;
