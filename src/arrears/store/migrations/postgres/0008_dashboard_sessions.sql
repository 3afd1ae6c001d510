-- Dashboard sessions kept in the database, so that signing out ends a session in every process (mirrors
-- migrations/sqlite/0008_dashboard_sessions.sql). Not account data: SYSTEM scope only.
CREATE TABLE dashboard_sessions (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    created bigint NOT NULL,
    expires bigint NOT NULL,
    data text NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires);
ALTER TABLE dashboard_sessions ALTER COLUMN data SET STORAGE MAIN;
DO $$
BEGIN
    ALTER TABLE dashboard_sessions ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: dashboard_sessions.data keeps the default compression';
END $$;

-- Hosted invoice pages: invoices finalized before tokens get a random one in their stored URLs, and their
-- id-only URLs stop answering. The documents are edited as text, so they stay exactly as the server wrote
-- them (compact JSON, keys in order) but for the two URLs; gen_random_uuid draws from pg_strong_random.
UPDATE invoices
SET data = replace(data,
        '"hosted_invoice_url":' || to_json(data::jsonb ->> 'hosted_invoice_url')::text,
        '"hosted_invoice_url":' || to_json((data::jsonb ->> 'hosted_invoice_url') || '/'
            || CASE WHEN livemode THEN 'live_' ELSE 'test_' END
            || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''))::text)
WHERE right(data::jsonb ->> 'hosted_invoice_url', length(id) + 3) = '/i/' || id;
UPDATE invoices
SET data = replace(data,
        '"invoice_pdf":' || to_json(data::jsonb ->> 'invoice_pdf')::text,
        '"invoice_pdf":' || to_json((data::jsonb ->> 'hosted_invoice_url') || '/pdf')::text)
WHERE right(data::jsonb ->> 'invoice_pdf', length(id) + 7) = '/i/' || id || '/pdf';
