-- What an organisation chose for its portal: whether its contacts see only the tickets they
-- asked for or are copied on, and whether its technical contacts are told of incidents and
-- maintenance on the services of its contracts. No row: the defaults.
CREATE TABLE portal_settings (
    organization_id INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    own_tickets_only BOOLEAN NOT NULL DEFAULT FALSE,
    incident_notices BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at INTEGER NOT NULL
);
-- Whether a contact may open tickets in the portal and through the API (its organisation's
-- primary contact decides).
ALTER TABLE contacts ADD COLUMN opens_tickets BOOLEAN NOT NULL DEFAULT TRUE;
