-- The catalog ([catalog], issue 16): products, prices, coupons, promotion codes, discounts, tax rates and
-- tax ids. Account data, scoped like every such table (0005). Columns are copied out of `data` for lists,
-- filters and search (store/tables.py). Ids are unique per account and mode, not across accounts as
-- elsewhere: Stripe lets a product or a coupon be given its own id. Mirrors migrations/postgres.

-- products: what prices are prices of
CREATE TABLE products (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    active INTEGER,
    name TEXT,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX products_scope ON products (account_id, livemode, seq);
CREATE INDEX products_created ON products (created);
CREATE INDEX products_active_seq ON products (active, seq);

-- prices: one-time and recurring, per unit or tiered
CREATE TABLE prices (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    product TEXT,
    active INTEGER,
    currency TEXT,
    type TEXT,
    lookup_key TEXT,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX prices_scope ON prices (account_id, livemode, seq);
CREATE INDEX prices_created ON prices (created);
CREATE INDEX prices_product_seq ON prices (product, seq);
CREATE INDEX prices_lookup ON prices (lookup_key, seq);

-- coupons: percent_off or amount_off, for a duration
CREATE TABLE coupons (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX coupons_scope ON coupons (account_id, livemode, seq);
CREATE INDEX coupons_created ON coupons (created);

-- promotion codes: customer-facing codes of a coupon
CREATE TABLE promotion_codes (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    coupon TEXT,
    code TEXT,
    active INTEGER,
    customer TEXT,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX promotion_codes_scope ON promotion_codes (account_id, livemode, seq);
CREATE INDEX promotion_codes_created ON promotion_codes (created);
CREATE INDEX promotion_codes_code ON promotion_codes (code);
CREATE INDEX promotion_codes_coupon_seq ON promotion_codes (coupon, seq);

-- discounts: a coupon (or promotion code) applied to a customer, an invoice or an item
CREATE TABLE discounts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    customer TEXT,
    invoice TEXT,
    invoice_item TEXT,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX discounts_scope ON discounts (account_id, livemode, seq);
CREATE INDEX discounts_customer_seq ON discounts (customer, seq);
CREATE INDEX discounts_invoice_seq ON discounts (invoice, seq);

-- tax rates: a percentage, inclusive or exclusive
CREATE TABLE tax_rates (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    active INTEGER,
    inclusive INTEGER,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX tax_rates_scope ON tax_rates (account_id, livemode, seq);
CREATE INDEX tax_rates_created ON tax_rates (created);

-- tax ids: a customer's (or the account's) tax identification numbers
CREATE TABLE tax_ids (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created INTEGER NOT NULL,
    customer TEXT,
    type TEXT,
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX tax_ids_scope ON tax_ids (account_id, livemode, seq);
CREATE INDEX tax_ids_customer_seq ON tax_ids (customer, seq);
