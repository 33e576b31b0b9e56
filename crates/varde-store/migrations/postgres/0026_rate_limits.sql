-- Tries counted for every node alike (logins, status subscriptions): per key, the
-- theoretical arrival time of the next try in microseconds (a generic cell rate). A row whose
-- time has passed says nothing more than no row, and is swept.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
