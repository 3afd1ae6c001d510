-- Dashboard sessions kept in the database, so that signing out ends a session in every process: the
-- signed cookie names a row here, and a cookie whose row is gone (signed out, or expired and pruned) is
-- no session. Not account data: read and written in the SYSTEM scope only. Mirrors migrations/postgres.
CREATE TABLE dashboard_sessions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,        -- the session ends then, signed out or not
    data TEXT NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires);

-- Hosted invoice pages are addressed by the invoice id and a random token (api/pages.py), which lives in
-- the stored URLs alone. Invoices finalized before tokens get one here, and their id-only URLs stop
-- answering: whoever knew an invoice id could read its page. The page URL is then …/i/{id}/{mode}_{token}
-- and the PDF's that with /pdf after it, as for invoices finalized from now on.
UPDATE invoices
SET data = json_set(data, '$.hosted_invoice_url', json_extract(data, '$.hosted_invoice_url') || '/'
                    || CASE livemode WHEN 1 THEN 'live_' ELSE 'test_' END || lower(hex(randomblob(24))))
WHERE substr(json_extract(data, '$.hosted_invoice_url'), -(length(id) + 3)) = '/i/' || id;
UPDATE invoices
SET data = json_set(data, '$.invoice_pdf', json_extract(data, '$.hosted_invoice_url') || '/pdf')
WHERE substr(json_extract(data, '$.invoice_pdf'), -(length(id) + 7)) = '/i/' || id || '/pdf';
