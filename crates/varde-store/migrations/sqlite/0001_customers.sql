-- The customer database, accounts and the audit history.
-- Timestamps are microseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organization_id INTEGER,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    org_number TEXT,
    country TEXT NOT NULL,
    sector TEXT NOT NULL,
    framework TEXT NOT NULL,
    language TEXT NOT NULL,
    mail_domains TEXT NOT NULL DEFAULT '',
    lifecycle TEXT NOT NULL,
    service_manager_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX organizations_by_name ON organizations (name_key, id);
CREATE INDEX organizations_by_number ON organizations (org_number);

CREATE TABLE organization_domains (
    domain TEXT PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT,
    roles TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    portal_access INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contacts_by_organization ON contacts (organization_id, id);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    reference TEXT NOT NULL UNIQUE,
    signed_on TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contracts_by_organization ON contracts (organization_id, id);

CREATE TABLE product_lines (
    contract_id INTEGER NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    product_code TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    site TEXT,
    PRIMARY KEY (contract_id, position)
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    organization_id INTEGER,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_events_by_organization ON audit_events (organization_id, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
