-- Tombstones of deleted objects Stripe still answers for: "Unlike other objects, deleted customers can
-- still be retrieved through the API" (docs.stripe.com/api/customers/delete), as the stub in `data`,
-- {"id", "object", "deleted": true}. The object's own row is deleted, so lists, search and commands no
-- longer see it. Account data, scoped like every such table (0005). Mirrors migrations/postgres.
CREATE TABLE deleted_objects (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    object TEXT NOT NULL,            -- the deleted object's kind: customer
    account_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX deleted_objects_scope ON deleted_objects (account_id, livemode, seq);
