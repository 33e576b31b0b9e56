-- Who has a ticket open in the console, and whether they are writing on it: each open page
-- tells every 20 seconds (varde_core::presence). One row per ticket and person, overwritten.
CREATE TABLE ticket_presence (
    ticket_id INTEGER NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    writing INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, email)
);
CREATE INDEX ticket_presence_by_time ON ticket_presence (seen_at);
