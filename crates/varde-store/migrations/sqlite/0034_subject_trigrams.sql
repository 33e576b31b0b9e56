-- Subjects indexed by trigram, so that `Subject LIKE 'detach'` (RT's substring match, and the
-- console's word search) finds its tickets through an index instead of reading every subject.
-- The index keeps no copy of the subjects: it reads them from `tickets`, and triggers keep it
-- in step (an update rewrites it only when the subject changed).
CREATE VIRTUAL TABLE ticket_subjects USING fts5 (subject, content = 'tickets', content_rowid = 'id', tokenize = 'trigram');

CREATE TRIGGER ticket_subjects_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_subjects (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER ticket_subjects_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO ticket_subjects (ticket_subjects, rowid, subject) VALUES ('delete', old.id, old.subject);
END;

CREATE TRIGGER ticket_subjects_update AFTER UPDATE OF subject ON tickets WHEN old.subject IS NOT new.subject BEGIN
    INSERT INTO ticket_subjects (ticket_subjects, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO ticket_subjects (rowid, subject) VALUES (new.id, new.subject);
END;

INSERT INTO ticket_subjects (ticket_subjects) VALUES ('rebuild');
