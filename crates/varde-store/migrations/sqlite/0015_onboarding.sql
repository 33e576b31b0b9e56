-- Onboarding and offboarding runs. A run is planned from the templates when a contract is
-- signed; its steps run in `position` order (automated ones) or are ticked off (checklist
-- items). A worker claims a step with a lease (`lease_until`); a claim that outlives its
-- worker expires and the step resumes, which is safe because every automated step is
-- idempotent. `output` keeps what a step made (Keystone ids) for the steps after it.
CREATE TABLE onboarding_templates (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    tiers TEXT NOT NULL,
    services TEXT NOT NULL,
    steps TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE onboarding_runs (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    contract_id INTEGER REFERENCES contracts(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    finished_at INTEGER,
    UNIQUE (contract_id, kind)
);
CREATE INDEX onboarding_runs_by_org ON onboarding_runs (organization_id, id);
CREATE INDEX onboarding_runs_open ON onboarding_runs (status, id);
CREATE TABLE onboarding_steps (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES onboarding_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    action TEXT NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    required INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    confirmed_by TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER,
    output TEXT NOT NULL DEFAULT '{}',
    started_at INTEGER,
    finished_at INTEGER,
    finished_by TEXT,
    UNIQUE (run_id, position)
);
-- What happened in a run, for its timeline: step results, retries, confirmations.
CREATE TABLE onboarding_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES onboarding_runs(id) ON DELETE CASCADE,
    step_id INTEGER,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX onboarding_events_by_run ON onboarding_events (run_id, id);
-- Secrets made for a customer (initial password, application credential, EC2 keys), sealed
-- with the installation's key (AES-256-GCM), shown once through a one-time link and then
-- wiped (`sealed` = '').
CREATE TABLE onboarding_secrets (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES onboarding_runs(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    public_part TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revealed_at INTEGER,
    UNIQUE (run_id, contact_id, label)
);
-- One-time links, kept as the SHA-256 of their token.
CREATE TABLE onboarding_links (
    token_hash TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES onboarding_runs(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
