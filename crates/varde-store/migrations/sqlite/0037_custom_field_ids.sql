-- A custom field has a number, as RT's have (REST2's `/customfield/{id}`); replacing a queue's
-- fields keeps the numbers of the fields that stay, and a number is never given twice.
CREATE TABLE queue_custom_fields_numbered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    allowed TEXT NOT NULL DEFAULT '',
    UNIQUE (queue_key, name)
);
INSERT INTO queue_custom_fields_numbered (queue_key, name, position, allowed)
    SELECT queue_key, name, position, allowed FROM queue_custom_fields ORDER BY queue_key, position, name;
DROP TABLE queue_custom_fields;
ALTER TABLE queue_custom_fields_numbered RENAME TO queue_custom_fields;
