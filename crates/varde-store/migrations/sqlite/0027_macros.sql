-- Macros: canned replies and comments agents apply in one click, per queue (NULL: every
-- queue) and language (NULL: every language), which may also set the status and the owner.
CREATE TABLE macros (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- The name folded to lower case (Unicode, in Varde): one macro per name, whatever its case.
    name_key TEXT NOT NULL,
    queue TEXT,
    language TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT,
    owner_action TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX macros_by_name ON macros (name_key);
