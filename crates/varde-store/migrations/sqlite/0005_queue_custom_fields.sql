-- Custom fields per queue: a ticket in a queue may carry only the fields defined for it, with
-- one of the allowed values when a list is given (newline-separated; empty means free text).
CREATE TABLE queue_custom_fields (
    queue_key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    allowed TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (queue_key, name)
);
INSERT INTO queue_custom_fields (queue_key, name, position, allowed) VALUES
    ('general', 'Site', 0, 'se-sto1
se-lla1
no-osl1'),
    ('general', 'Service', 1, 'compute
storage
backup');
