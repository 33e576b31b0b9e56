-- The unowned tickets (the console's "Unowned" view, RT's `Owner = 'Nobody'`), by status and
-- last change: counting them and reading a page of them needs the index alone, not the
-- tickets themselves.
CREATE INDEX tickets_unowned ON tickets (status, last_updated_at, id) WHERE effective_id = id AND owner IS NULL;
