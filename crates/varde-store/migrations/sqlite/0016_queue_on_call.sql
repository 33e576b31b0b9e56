-- Who is on call for a queue's tickets: told at once (by e-mail) of SLA warnings and breaches
-- on urgent and unowned tickets, and by SMS for urgent ones. Empty means the server's
-- `--sla-on-call` / `--sla-on-call-sms`.
CREATE TABLE queue_on_call (
    queue_id INTEGER PRIMARY KEY REFERENCES queues(id) ON DELETE CASCADE,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
