-- TicketSQL compares queue and owner case-insensitively (lower(column) = value); these
-- expression indexes let those comparisons use an index.
CREATE INDEX tickets_by_queue_key ON tickets (lower(queue), status, id);
CREATE INDEX tickets_by_owner_key ON tickets (lower(owner), status, id);
CREATE INDEX ticket_custom_fields_by_key ON ticket_custom_fields (name, lower(value));
