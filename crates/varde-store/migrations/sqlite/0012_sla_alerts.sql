-- SLA warnings and breaches: one row per (ticket, target, due time, kind, recipient), so an
-- alert is recorded and sent once however often the clocks are read. A warning to an owner
-- outside office hours waits (`deliver_at`) until they are back; the on-call address is told
-- at once.
CREATE TABLE sla_alerts (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    target TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    deliver_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (ticket_id, target, due_at, kind, recipient)
);
CREATE INDEX sla_alerts_due ON sla_alerts (status, deliver_at);
CREATE INDEX sla_alerts_by_ticket ON sla_alerts (ticket_id, id);
