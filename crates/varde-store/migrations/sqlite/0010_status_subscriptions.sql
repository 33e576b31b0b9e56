-- Status page subscriptions: who is told (e-mail with double opt-in, SMS, webhook), about
-- which components, in which language; the fan-out job an update leaves behind; and one
-- notification row per (update, subscriber), unique, so nobody gets the same update twice.

CREATE TABLE status_subscribers (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    language TEXT NOT NULL,
    all_components INTEGER NOT NULL,
    -- Webhooks: the HMAC-SHA256 signing key (it must be read to sign; it grants nothing).
    signing_key TEXT,
    -- Who hears about a webhook that was switched off (the subscriber's own e-mail address).
    owner_email TEXT,
    confirmed_at INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    disabled_at INTEGER,
    unsubscribed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (channel, target)
);

CREATE TABLE status_subscriber_components (
    subscriber_id INTEGER NOT NULL REFERENCES status_subscribers(id),
    component_id INTEGER NOT NULL REFERENCES status_components(id),
    PRIMARY KEY (subscriber_id, component_id)
);
CREATE INDEX status_subscriber_components_by_component ON status_subscriber_components (component_id, subscriber_id);

CREATE TABLE status_fanouts (
    update_id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);

CREATE TABLE status_notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    update_id INTEGER,
    subscriber_id INTEGER NOT NULL REFERENCES status_subscribers(id),
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (update_id, subscriber_id)
);
CREATE INDEX status_notifications_due ON status_notifications (status, next_attempt_at);
CREATE INDEX status_notifications_by_subscriber ON status_notifications (subscriber_id, id);

-- Keys Varde generates for itself (the key that signs subscription links).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
