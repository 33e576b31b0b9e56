-- The public status page: components (service × site, in groups), their status history (for
-- uptime), incidents and scheduled maintenance (one table, as Statuspage keeps them), the
-- timeline of updates, and the tickets linked to an incident.

CREATE TABLE status_components (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    group_id INTEGER REFERENCES status_components(id),
    is_group INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'operational',
    service TEXT,
    site TEXT,
    showcase INTEGER NOT NULL DEFAULT 1,
    only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE status_component_changes (
    id INTEGER PRIMARY KEY,
    component_id INTEGER NOT NULL REFERENCES status_components(id),
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    event_id INTEGER
);
CREATE INDEX status_component_changes_by_component ON status_component_changes (component_id, at);

CREATE TABLE status_events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0,
    scheduled_for INTEGER,
    scheduled_until INTEGER,
    auto_start INTEGER NOT NULL DEFAULT 0,
    auto_complete INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    monitoring_at INTEGER,
    resolved_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX status_events_open ON status_events (kind, closed, id);
CREATE INDEX status_events_recent ON status_events (created_at);

CREATE TABLE status_event_components (
    event_id INTEGER NOT NULL REFERENCES status_events(id),
    component_id INTEGER NOT NULL REFERENCES status_components(id),
    PRIMARY KEY (event_id, component_id)
);

CREATE TABLE status_updates (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES status_events(id),
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    affected TEXT NOT NULL DEFAULT '[]',
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX status_updates_by_event ON status_updates (event_id, id);

CREATE TABLE status_event_tickets (
    event_id INTEGER NOT NULL REFERENCES status_events(id),
    ticket_id INTEGER NOT NULL,
    PRIMARY KEY (event_id, ticket_id)
);
