-- One-time links (an invitation to set a password, a password reset, a change of e-mail
-- address to `new_email`): the SHA-256 digest of the secret mailed, never the secret; used
-- once, until it expires.
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    new_email TEXT,
    used_at BIGINT
);
CREATE INDEX one_time_links_by_user ON one_time_links (user_id, purpose);
