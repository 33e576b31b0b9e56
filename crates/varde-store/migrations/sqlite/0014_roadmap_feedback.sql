-- Feedback for the roadmap that the customer gave the provider (in a meeting, a ticket, a
-- call), noted on the organisation and listed in its quarterly report.
CREATE TABLE roadmap_feedback (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX roadmap_feedback_by_organization ON roadmap_feedback (organization_id, created_at);
