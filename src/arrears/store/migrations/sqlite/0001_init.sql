-- The first schema: one table per object kind, each with insertion order (seq), the id, the indexed
-- columns of store/tables.py and the whole object as JSON.
CREATE TABLE customers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    email TEXT,
    name TEXT,
    phone TEXT,
    data TEXT NOT NULL
);
CREATE INDEX customers_email ON customers (email, seq);
CREATE INDEX customers_created ON customers (created);

CREATE TABLE invoices (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer TEXT,
    status TEXT NOT NULL,
    collection_method TEXT,
    created INTEGER NOT NULL,
    due_date INTEGER,
    number TEXT UNIQUE,
    currency TEXT,
    total INTEGER,
    receipt_number TEXT,
    subscription TEXT,
    last_finalization_error_code TEXT,
    last_finalization_error_type TEXT,
    data TEXT NOT NULL
);
CREATE INDEX invoices_customer ON invoices (customer, seq);
CREATE INDEX invoices_status ON invoices (status, seq);
CREATE INDEX invoices_created ON invoices (created);
CREATE INDEX invoices_due_date ON invoices (due_date);

CREATE TABLE invoiceitems (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer TEXT NOT NULL,
    invoice TEXT,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX invoiceitems_customer ON invoiceitems (customer, invoice, seq);
CREATE INDEX invoiceitems_invoice ON invoiceitems (invoice, seq);

CREATE TABLE balance_transactions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer TEXT NOT NULL,
    invoice TEXT,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX balance_transactions_customer ON balance_transactions (customer, seq);

-- The outbox: events are written in the transaction of the change they describe.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_created ON events (created);
