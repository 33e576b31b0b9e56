-- Every delivered message, kept raw (content-addressed in blobs) before anything else, with
-- what became of it. A Message-ID is delivered once: the same message again changes nothing.
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT UNIQUE,
    raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    queue TEXT NOT NULL,
    action TEXT NOT NULL,
    sender TEXT,
    received_at INTEGER NOT NULL,
    ticket_id INTEGER,
    transaction_id INTEGER,
    flags TEXT NOT NULL DEFAULT ''
);

-- Message-IDs seen on a ticket (received and, later, sent), for threading by In-Reply-To and
-- References when a reply has lost its subject tag.
CREATE TABLE ticket_message_ids (
    message_id TEXT PRIMARY KEY,
    ticket_id INTEGER NOT NULL
);
