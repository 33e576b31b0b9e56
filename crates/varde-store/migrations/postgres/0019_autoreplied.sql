-- The autoreply limit counts the autoreplies one sender got in the last hour, on every
-- delivery. A busy sender may have sent thousands of mails in that hour; the index holds only
-- the few that were answered.
ALTER TABLE inbound_messages ADD COLUMN autoreplied INTEGER NOT NULL DEFAULT 0;
UPDATE inbound_messages SET autoreplied = 1 WHERE EXISTS (
    SELECT 1 FROM outbox o
    WHERE o.ticket_id = inbound_messages.ticket_id
      AND o.transaction_id = inbound_messages.transaction_id
      AND o.kind = 'autoreply');
CREATE INDEX inbound_messages_autoreplied ON inbound_messages (sender, received_at) WHERE autoreplied = 1;
