-- Mail templates administrators edited (the autoreply per language). A template that is not
-- here is the one Varde ships (`varde_core::mail_template`).
CREATE TABLE mail_templates (
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (name, language)
);
