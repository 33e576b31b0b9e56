-- Customer health: a score per organisation and day with its parts (JSON), the daily run
-- that a node claims so the scores are computed once across nodes, settings an
-- administrator edits (the health weights), and satisfaction ratings of resolved tickets.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE health_scores (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    score INTEGER NOT NULL,
    parts TEXT NOT NULL,
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (organization_id, day)
);

CREATE TABLE health_runs (
    day TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    organization_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
    transaction_id INTEGER NOT NULL,
    rater TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (ticket_id, transaction_id)
);
CREATE INDEX ratings_by_organization ON ratings (organization_id, created_at);
