-- The catalog: products, prices, coupons, promotion codes, discounts, tax rates and tax ids. Mirrors
-- migrations/sqlite/0009_catalog.sql.

CREATE TABLE products (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    active boolean,
    name text,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX products_scope ON products (account_id, livemode, seq);
CREATE INDEX products_created ON products (created);
CREATE INDEX products_active_seq ON products (active, seq);
ALTER TABLE products ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE prices (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    product text,
    active boolean,
    currency text,
    type text,
    lookup_key text,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX prices_scope ON prices (account_id, livemode, seq);
CREATE INDEX prices_created ON prices (created);
CREATE INDEX prices_product_seq ON prices (product, seq);
CREATE INDEX prices_lookup ON prices (lookup_key, seq);
ALTER TABLE prices ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE coupons (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX coupons_scope ON coupons (account_id, livemode, seq);
CREATE INDEX coupons_created ON coupons (created);
ALTER TABLE coupons ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE promotion_codes (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    coupon text,
    code text,
    active boolean,
    customer text,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX promotion_codes_scope ON promotion_codes (account_id, livemode, seq);
CREATE INDEX promotion_codes_created ON promotion_codes (created);
CREATE INDEX promotion_codes_code ON promotion_codes (code);
CREATE INDEX promotion_codes_coupon_seq ON promotion_codes (coupon, seq);
ALTER TABLE promotion_codes ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE discounts (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    customer text,
    invoice text,
    invoice_item text,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX discounts_scope ON discounts (account_id, livemode, seq);
CREATE INDEX discounts_customer_seq ON discounts (customer, seq);
CREATE INDEX discounts_invoice_seq ON discounts (invoice, seq);
ALTER TABLE discounts ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE tax_rates (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    active boolean,
    inclusive boolean,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX tax_rates_scope ON tax_rates (account_id, livemode, seq);
CREATE INDEX tax_rates_created ON tax_rates (created);
ALTER TABLE tax_rates ALTER COLUMN data SET STORAGE MAIN;

CREATE TABLE tax_ids (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    created bigint NOT NULL,
    customer text,
    type text,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL,
    UNIQUE (id, account_id, livemode)
);
CREATE INDEX tax_ids_scope ON tax_ids (account_id, livemode, seq);
CREATE INDEX tax_ids_customer_seq ON tax_ids (customer, seq);
ALTER TABLE tax_ids ALTER COLUMN data SET STORAGE MAIN;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['products', 'prices', 'coupons', 'promotion_codes', 'discounts', 'tax_rates', 'tax_ids'] LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET COMPRESSION lz4', t);
        EXCEPTION WHEN feature_not_supported OR syntax_error THEN
            RAISE NOTICE 'lz4 is not available: %.data keeps the default compression', t;
        END;
    END LOOP;
END $$;
