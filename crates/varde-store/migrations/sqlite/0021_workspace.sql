-- The service manager's workspace: quarterly operations meetings with their minutes and
-- action items, the roadmap register that feedback is filed under, and letters, the durable
-- queue of mail that belongs to no ticket (meeting invitations).
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    quarter TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    minutes_long INTEGER NOT NULL,
    led_by INTEGER REFERENCES users(id),
    place TEXT NOT NULL DEFAULT '',
    attendees TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    decisions TEXT NOT NULL DEFAULT '',
    shared INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX meetings_by_organization ON meetings (organization_id, quarter);
CREATE INDEX meetings_by_time ON meetings (starts_at);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT,
    ticket_id INTEGER,
    done_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX action_items_by_organization ON action_items (organization_id, done_at);
CREATE INDEX action_items_by_meeting ON action_items (meeting_id);

CREATE TABLE roadmap_items (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    service TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    merged_into INTEGER REFERENCES roadmap_items(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state_changed_at INTEGER NOT NULL
);

ALTER TABLE roadmap_feedback ADD COLUMN item_id INTEGER REFERENCES roadmap_items(id);
ALTER TABLE roadmap_feedback ADD COLUMN meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL;
ALTER TABLE roadmap_feedback ADD COLUMN ticket_id INTEGER;
ALTER TABLE roadmap_feedback ADD COLUMN asked_by TEXT NOT NULL DEFAULT '';
CREATE INDEX roadmap_feedback_by_item ON roadmap_feedback (item_id);

CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    calendar TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX letters_due ON letters (status, next_attempt_at);
CREATE INDEX letters_by_reference ON letters (reference, id);
