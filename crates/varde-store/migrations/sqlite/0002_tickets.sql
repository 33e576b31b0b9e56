-- Tickets: queues, the current state of each ticket (a cache of its history), the append-only
-- history of transactions, content-addressed attachments, and the full-text index.

CREATE TABLE queues (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    correspond_address TEXT NOT NULL DEFAULT '',
    comment_address TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
INSERT INTO queues (name, name_key, description, created_at) VALUES ('General', 'general', 'The default queue', 0);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    effective_id INTEGER NOT NULL,
    queue TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    creator TEXT NOT NULL,
    priority INTEGER NOT NULL,
    initial_priority INTEGER NOT NULL,
    final_priority INTEGER NOT NULL,
    time_worked INTEGER NOT NULL,
    time_estimated INTEGER NOT NULL,
    time_left INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    starts_at INTEGER,
    started_at INTEGER,
    resolved_at INTEGER,
    due_at INTEGER,
    told_at INTEGER,
    last_updated_at INTEGER NOT NULL,
    last_updated_by TEXT NOT NULL,
    organization_id INTEGER
);
CREATE INDEX tickets_by_status ON tickets (status, id);
CREATE INDEX tickets_by_queue ON tickets (queue, status, id);
CREATE INDEX tickets_by_owner ON tickets (owner, status);
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_updated ON tickets (last_updated_at);
CREATE INDEX tickets_by_organization ON tickets (organization_id, status);

CREATE TABLE ticket_watchers (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (ticket_id, role, position)
);
CREATE INDEX ticket_watchers_by_address ON ticket_watchers (address, role);

CREATE TABLE ticket_custom_fields (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (ticket_id, name, position)
);
CREATE INDEX ticket_custom_fields_by_value ON ticket_custom_fields (name, value);

CREATE TABLE ticket_links (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, kind, target)
);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    creator TEXT NOT NULL,
    time_taken INTEGER NOT NULL DEFAULT 0,
    type TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL
);
CREATE INDEX transactions_by_ticket ON transactions (ticket_id, id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
    filename TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);
CREATE INDEX attachments_by_transaction ON attachments (transaction_id, id);

CREATE VIRTUAL TABLE ticket_text USING fts5 (ticket_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
