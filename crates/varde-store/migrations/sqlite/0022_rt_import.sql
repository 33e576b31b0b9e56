-- What `varde import-rt` brought from a Request Tracker database, so that a second run brings
-- only what is new or changed and an interrupted run resumes: per imported ticket, the
-- highest RT transaction id imported and RT's LastUpdated as read; per RT transaction, the
-- Varde transaction it became.

CREATE TABLE rt_import_tickets (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    rt_last_transaction INTEGER NOT NULL,
    rt_last_updated TEXT NOT NULL DEFAULT '',
    imported_at INTEGER NOT NULL
);

CREATE TABLE rt_import_transactions (
    rt_id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE
);
