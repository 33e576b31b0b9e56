-- Text waits here to be indexed (issue 20). Indexing a ticket's subject and text as it is
-- written cost a create nine pages of the two full-text indexes (and their flush); now a
-- create writes one row here, and the waiting text is indexed many tickets at once: by the
-- embedded writer every so many commits, in the same transaction, and before any search that
-- reads the indexes, so a search finds what was written before it. `body` NULL stands for
-- the ticket's subject (read from `tickets` when indexed, so a changed subject is indexed as
-- it is then); otherwise it is text for `ticket_text`.
CREATE TABLE text_to_index (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    body TEXT
);

DROP TRIGGER ticket_subjects_insert;
CREATE TRIGGER ticket_subjects_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO text_to_index (ticket_id) VALUES (new.id);
END;

-- A subject still waiting was never indexed: nothing to take out of the index.
DROP TRIGGER ticket_subjects_delete;
CREATE TRIGGER ticket_subjects_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO ticket_subjects (ticket_subjects, rowid, subject) SELECT 'delete', old.id, old.subject
        WHERE NOT EXISTS (SELECT 1 FROM text_to_index WHERE ticket_id = old.id AND body IS NULL);
    DELETE FROM text_to_index WHERE ticket_id = old.id;
END;

DROP TRIGGER ticket_subjects_update;
CREATE TRIGGER ticket_subjects_update AFTER UPDATE OF subject ON tickets
    WHEN old.subject IS NOT new.subject
        AND NOT EXISTS (SELECT 1 FROM text_to_index WHERE ticket_id = old.id AND body IS NULL) BEGIN
    INSERT INTO ticket_subjects (ticket_subjects, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO ticket_subjects (rowid, subject) VALUES (new.id, new.subject);
END;
