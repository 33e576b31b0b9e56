-- SLA policies as administrators edit them: every change is a new version; a ticket is held to
-- the version in force when it was created. Without a row, a tier has its example policy
-- (version 1, in varde-core).
CREATE TABLE sla_policies (
    tier TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- Minutes per priority class (urgent, high, normal, low): first response, next response,
    -- resolution, as JSON.
    targets TEXT NOT NULL,
    pause_statuses TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tier, version)
);
