-- Tombstones of deleted objects Stripe still answers for (a deleted customer is retrieved as
-- {"id", "object", "deleted": true}). Mirrors migrations/sqlite/0006_deleted_objects.sql.
CREATE TABLE deleted_objects (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    object text NOT NULL,
    account_id text NOT NULL,
    livemode boolean NOT NULL,
    data text NOT NULL
);
CREATE INDEX deleted_objects_scope ON deleted_objects (account_id, livemode, seq);
ALTER TABLE deleted_objects ALTER COLUMN data SET STORAGE MAIN;
DO $$
BEGIN
    ALTER TABLE deleted_objects ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: deleted_objects.data keeps the default compression';
END $$;
